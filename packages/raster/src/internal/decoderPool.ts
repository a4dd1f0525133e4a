// A pool of decoder threads running the bounded decoders (decoderWorker.ts), with geotiff.js's Pool interface
// (`bindParameters(...).decode`, `destroy`): the blocks asked for in one turn of the event loop go to each
// thread in one message, their results come back in one, so a chip's tiles cost a few messages, not one each.
// Threads start with the first block given to the pool: a process that decodes none starts none.
import { getDecoder, type Pool } from "geotiff"
import { Worker } from "node:worker_threads"

interface Job {
  readonly compression: number
  readonly decoderParameters: unknown
  readonly buffer: ArrayBufferLike
  readonly resolve: (decoded: ArrayBufferLike) => void
  readonly reject: (error: Error) => void
}

/** What the pool posts to a thread to make it exit once the blocks it was given are decoded. */
export const stopMessage = "stop"

/** One decoder thread's answer to one job. */
export interface Result {
  readonly jobId: number
  readonly decoded?: ArrayBuffer
  readonly error?: string
}

// geotiff.js decodes these on the calling thread (its registry's preferWorker false): none, WebP.
const inline = (compression: number | undefined) =>
  compression === undefined || compression === 1 || compression === 50001

interface Thread {
  readonly worker: Worker
  readonly pending: Map<number, Job>
}

const startThread = (): Thread => {
  // The worker module: the TypeScript source inside the repository, compiled JavaScript once installed.
  const worker = new Worker(
    new URL(`./decoderWorker.${import.meta.url.endsWith(".ts") ? "ts" : "js"}`, import.meta.url)
  )
  const pending = new Map<number, Job>()
  worker.on("message", (results: ReadonlyArray<Result>) => {
    for (const r of results) {
      const job = pending.get(r.jobId)
      if (job === undefined) continue
      pending.delete(r.jobId)
      if (r.error !== undefined) job.reject(new Error(r.error))
      else job.resolve(r.decoded!)
    }
  })
  // A thread that dies (crash, out of memory, terminated) fails its jobs instead of leaving them pending.
  const failAll = (why: string) => {
    const jobs = [...pending.values()]
    pending.clear()
    for (const job of jobs) job.reject(new Error(`the decoder thread ${why}`))
  }
  worker.on("error", (error) => failAll(`failed: ${error.message}`))
  worker.on("exit", (code) => failAll(`exited (code ${code})`))
  return { worker, pending }
}

/** A pool of `size` decoder threads whose decoders never exceed a block's declared size. */
export const makePool = (size: number): Pool => {
  // Each thread loads its modules (~0.3 s of CPU): started when a block first needs them.
  let started: Array<Thread> | undefined
  let destroyed = false
  let queued: Array<Job> = []
  let nextId = 0
  const flush = () => {
    const jobs = queued
    queued = []
    if (destroyed) {
      // Blocks asked for in the turn the pool was stopped: no thread is started for them.
      for (const job of jobs) job.reject(new Error("the decoder thread pool was stopped"))
      return
    }
    const threads = (started ??= Array.from({ length: size }, startThread))
    const batches = threads.map(() => [] as Array<{ jobId: number; job: Job }>)
    for (const job of jobs) {
      // The thread with the fewest blocks waiting, counting those given in this turn.
      let best = 0
      for (let t = 1; t < threads.length; t++) {
        const load = threads[t].pending.size + batches[t].length
        if (load < threads[best].pending.size + batches[best].length) best = t
      }
      batches[best].push({ jobId: nextId++, job })
    }
    batches.forEach((batch, t) => {
      if (batch.length === 0) return
      const thread = threads[t]
      for (const { jobId, job } of batch) thread.pending.set(jobId, job)
      const message = batch.map(({ jobId, job }) => ({
        jobId,
        compression: job.compression,
        decoderParameters: job.decoderParameters,
        buffer: job.buffer
      }))
      try {
        // The compressed blocks are handed over, not copied (the caller has no further use for them).
        thread.worker.postMessage(
          message,
          batch.map(({ job }) => job.buffer as ArrayBuffer)
        )
      } catch (error) {
        for (const { jobId, job } of batch) {
          thread.pending.delete(jobId)
          job.reject(error instanceof Error ? error : new Error(String(error)))
        }
      }
    })
  }
  const pool = {
    bindParameters: (compression: number, decoderParameters: unknown) => ({
      decode: async (buffer: ArrayBufferLike): Promise<ArrayBufferLike> => {
        if (inline(compression))
          return (await getDecoder(compression, decoderParameters as never)).decode(buffer)
        return new Promise<ArrayBufferLike>((resolve, reject) => {
          if (queued.length === 0) setImmediate(flush)
          queued.push({ compression, decoderParameters, buffer, resolve, reject })
        })
      }
    }),
    // Each thread is asked to stop between blocks (after the ones it was given) rather than terminated at
    // once: a thread stopped inside zlib's stream set-up aborts the whole process as Node frees the thread
    // ("close before init"). One that does not stop within 10 s is terminated.
    destroy: async (): Promise<void> => {
      destroyed = true
      await Promise.all(
        (started ?? []).map(
          (t) =>
            new Promise<void>((resolve) => {
              const timer = setTimeout(() => void t.worker.terminate(), 10_000)
              t.worker.once("exit", () => {
                clearTimeout(timer)
                resolve()
              })
              try {
                t.worker.postMessage(stopMessage)
              } catch {
                void t.worker.terminate()
              }
            })
        )
      )
    }
  }
  return pool as unknown as Pool
}
