// The decoder worker of the layer's geotiff.js pool: geotiff.js's worker protocol with the bounded decoders
// (no block decodes past its declared size), so a decompression bomb cannot grow a worker's memory either.
import "./decoderWorkerShim.ts"
import { getDecoder } from "geotiff"
import { parentPort } from "node:worker_threads"
import { register } from "./boundedDecoders.ts"

register()

interface Job {
  readonly compression: number
  readonly decoderParameters: unknown
  readonly buffer: ArrayBuffer
  readonly jobId: number
}

parentPort?.on("message", (job: Job) => {
  const { compression, decoderParameters, buffer, ...extra } = job
  getDecoder(compression, decoderParameters as never)
    .then((decoder) => decoder.decode(buffer))
    .then(
      (decoded) => parentPort?.postMessage({ decoded, ...extra }, [decoded as ArrayBuffer]),
      (error: unknown) =>
        parentPort?.postMessage({
          error: error instanceof Error ? error.message : String(error),
          ...extra
        })
    )
})
