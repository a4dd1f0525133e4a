// A decoder thread of the layer's pool (decoderPool.ts): the bounded decoders (no block decodes past its
// declared size, so a decompression bomb cannot grow a thread's memory either), a batch of blocks per message.
import "./decoderWorkerShim.ts"
import { getDecoder } from "geotiff"
import { parentPort } from "node:worker_threads"
import { register } from "./boundedDecoders.ts"
import { type Result, stopMessage } from "./decoderPool.ts"

register()

interface Job {
  readonly jobId: number
  readonly compression: number
  readonly decoderParameters: unknown
  readonly buffer: ArrayBuffer
}

const decodeOne = async ({
  jobId,
  compression,
  decoderParameters,
  buffer
}: Job): Promise<Result> => {
  try {
    const decoder = await getDecoder(compression, decoderParameters as never)
    return { jobId, decoded: (await decoder.decode(buffer)) as ArrayBuffer }
  } catch (error) {
    return { jobId, error: error instanceof Error ? error.message : String(error) }
  }
}

// Batches being decoded: a stop waits for them, so that the thread never ends inside zlib.
const inFlight = new Set<Promise<void>>()

parentPort?.on("message", (jobs: ReadonlyArray<Job> | typeof stopMessage) => {
  if (jobs === stopMessage) {
    void Promise.all(inFlight).then(() => process.exit(0))
    return
  }
  const batch: Promise<void> = Promise.all(jobs.map(decodeOne)).then((results) => {
    inFlight.delete(batch)
    parentPort?.postMessage(
      results,
      results.flatMap((r) => (r.decoded === undefined ? [] : [r.decoded]))
    )
  })
  inFlight.add(batch)
})
