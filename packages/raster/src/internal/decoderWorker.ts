// A decoder thread of the layer's pool (decoderPool.ts): the bounded decoders (no block decodes past its
// declared size, so a decompression bomb cannot grow a thread's memory either), a batch of blocks per message.
import "./decoderWorkerShim.ts"
import { getDecoder } from "geotiff"
import { parentPort } from "node:worker_threads"
import { boundedCompressions, register } from "./boundedDecoders.ts"
import { type Posted, type Result, stopMessage } from "./decoderPool.ts"

register()

// The block's bytes as its decoder takes them: the bounded decoders read a view of the pool buffer's first
// `length` bytes; another decoder (geotiff.js's own) gets a copy of exactly the block.
const input = ({ compression, buffer, length }: Posted): ArrayBuffer | Uint8Array =>
  length === buffer.byteLength
    ? buffer
    : boundedCompressions.includes(compression)
      ? new Uint8Array(buffer, 0, length)
      : buffer.slice(0, length)

const decodeOne = async (job: Posted): Promise<Result> => {
  const { jobId, compression, decoderParameters, buffer, recycle } = job
  // The pool buffer goes back unless the decoded block is that buffer itself.
  const back = (decoded?: ArrayBuffer) =>
    recycle && decoded !== buffer ? { recycled: buffer } : {}
  try {
    const decoder = await getDecoder(compression, decoderParameters as never)
    const decoded = (await decoder.decode(input(job) as ArrayBuffer)) as ArrayBuffer
    return { jobId, decoded, ...back(decoded) }
  } catch (error) {
    return { jobId, error: error instanceof Error ? error.message : String(error), ...back() }
  }
}

// Batches being decoded: a stop waits for them, so that the thread never ends inside zlib.
const inFlight = new Set<Promise<void>>()

parentPort?.on("message", (jobs: ReadonlyArray<Posted> | typeof stopMessage) => {
  if (jobs === stopMessage) {
    void Promise.all(inFlight).then(() => process.exit(0))
    return
  }
  const batch: Promise<void> = Promise.all(jobs.map(decodeOne)).then((results) => {
    inFlight.delete(batch)
    parentPort?.postMessage(
      results,
      results.flatMap((r) => [
        ...(r.decoded === undefined ? [] : [r.decoded]),
        ...(r.recycled === undefined ? [] : [r.recycled])
      ])
    )
  })
  inFlight.add(batch)
})
