// geotiff.js's decoder pool on worker threads that run the bounded decoders (decoderWorker.ts), adapted to
// the Web Worker interface the pool expects (addEventListener, postMessage, terminate).
import { Pool } from "geotiff"
import { Worker } from "node:worker_threads"

type Listener = (event: { readonly data: unknown }) => void

// The worker module: the TypeScript source inside the repository, compiled JavaScript once installed.
const createWorker = () => {
  const worker = new Worker(
    new URL(`./decoderWorker.${import.meta.url.endsWith(".ts") ? "ts" : "js"}`, import.meta.url)
  )
  const listeners: Array<Listener> = []
  const pending = new Set<number>()
  const deliver = (data: unknown) => {
    pending.delete((data as { jobId: number }).jobId)
    for (const listener of listeners) listener({ data })
  }
  worker.on("message", deliver)
  // A worker that dies (crash, out of memory, terminated) fails its jobs instead of leaving them pending.
  const failAll = (why: string) => {
    for (const jobId of [...pending]) deliver({ jobId, error: `the decoder thread ${why}` })
  }
  worker.on("error", (error) => failAll(`failed: ${error.message}`))
  worker.on("exit", (code) => failAll(`exited (code ${code})`))
  return {
    addEventListener: (type: string, listener: Listener) => {
      if (type === "message") listeners.push(listener)
    },
    postMessage: (message: { readonly jobId: number }, transfer?: ReadonlyArray<ArrayBuffer>) => {
      pending.add(message.jobId)
      worker.postMessage(message, transfer as never)
    },
    terminate: () => void worker.terminate()
  }
}

/** A pool of `size` decoder threads whose decoders never exceed a block's declared size. */
export const makePool = (size: number): Pool => new Pool(size, createWorker as never)
