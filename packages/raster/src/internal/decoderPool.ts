// A pool of decoder threads running the bounded decoders (decoderWorker.ts), with geotiff.js's Pool interface
// (`bindParameters(...).decode`, `destroy`): the blocks asked for in one turn of the event loop go to each
// thread in one message, their results come back in one, so a chip's tiles cost a few messages, not one each.
// Compressed blocks read into the pool's own buffers (`DecoderPool.block`) come back with the results and are
// reused, so a build's reads do not allocate a buffer per block.
// Threads start with the first block given to the pool: a process that decodes none starts none.
import { getDecoder, type Pool } from "geotiff"
import { Worker } from "node:worker_threads"
import { type Policy, Spares } from "./spareBuffers.ts"

interface Job {
  readonly compression: number
  readonly decoderParameters: unknown
  readonly buffer: ArrayBufferLike
  /** Bytes of `buffer` that are the block (the rest of a pool buffer is not). */
  readonly length: number
  /** A pool buffer, to come back with the result. */
  readonly recycle: boolean
  readonly resolve: (decoded: ArrayBufferLike) => void
  readonly reject: (error: Error) => void
}

/** A job as posted to a decoder thread. */
export interface Posted {
  readonly jobId: number
  readonly compression: number
  readonly decoderParameters: unknown
  readonly buffer: ArrayBuffer
  readonly length: number
  readonly recycle: boolean
}

/** What the pool posts to a thread to make it exit once the blocks it was given are decoded. */
export const stopMessage = "stop"

/** One decoder thread's answer to one job, with the job's pool buffer when it was one. */
export interface Result {
  readonly jobId: number
  readonly decoded?: ArrayBuffer
  readonly error?: string
  readonly recycled?: ArrayBuffer
}

/** geotiff.js's Pool, and buffers for compressed blocks that the threads give back once decoded. */
export interface DecoderPool {
  readonly bindParameters: (
    compression: number,
    decoderParameters: unknown
  ) => {
    /** Decodes an ArrayBuffer holding exactly the block, or a `block(n)` array (handed over either way). */
    readonly decode: (block: ArrayBufferLike | Uint8Array) => Promise<ArrayBufferLike>
  }
  /**
   * An array of `n` bytes (not zeroed) for a compressed block, over a buffer of the pool's: given to `decode`,
   * it is handed to a thread and comes back for another block. Blocks decoded on the calling thread (none,
   * WebP) need their own ArrayBuffer instead.
   */
  readonly block: (n: number) => Uint8Array<ArrayBuffer>
  /** Whether `decode` runs on the calling thread for this compression (then `block` arrays do not fit). */
  readonly inline: (compression: number) => boolean
  /** Idle pool buffers held. */
  readonly spares: () => number
  readonly destroy: () => Promise<void>
}

// Idle pool buffers kept: at most 64, of at most 64 MiB in all. A buffer serves blocks of half its size to its
// size, sizes rounded up to 64 KiB.
const granule = 64 * 1024
const poolPolicy: Policy = {
  maxCount: 64,
  maxBytes: 64 * 1024 * 1024,
  fits: (size, n) => size >= n && size <= 2 * n + granule,
  sizeFor: (n) => Math.ceil(Math.max(1, n) / granule) * granule
}

// geotiff.js decodes these on the calling thread (its registry's preferWorker false): none, WebP.
const inline = (compression: number | undefined) =>
  compression === undefined || compression === 1 || compression === 50001

interface Thread {
  readonly worker: Worker
  readonly pending: Map<number, Job>
}

const startThread = (spares: Spares): Thread => {
  // The worker module: the TypeScript source inside the repository, compiled JavaScript once installed.
  const worker = new Worker(
    new URL(`./decoderWorker.${import.meta.url.endsWith(".ts") ? "ts" : "js"}`, import.meta.url)
  )
  const pending = new Map<number, Job>()
  worker.on("message", (results: ReadonlyArray<Result>) => {
    for (const r of results) {
      if (r.recycled !== undefined) spares.give(r.recycled)
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
export const makePool = (size: number): DecoderPool & Pool => {
  const spares = new Spares(poolPolicy)
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
    const threads = (started ??= Array.from({ length: size }, () => startThread(spares)))
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
      const message = batch.map(({ jobId, job }): Posted => ({
        jobId,
        compression: job.compression,
        decoderParameters: job.decoderParameters,
        buffer: job.buffer as ArrayBuffer,
        length: job.length,
        recycle: job.recycle
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
      decode: async (block: ArrayBufferLike | Uint8Array): Promise<ArrayBufferLike> => {
        // A `block(n)` array starts its buffer; another view is copied into a buffer of its own.
        const view = ArrayBuffer.isView(block)
        const recycle = view && block.byteOffset === 0
        const buffer = !view ? block : recycle ? block.buffer : block.slice().buffer
        const length = block.byteLength
        if (inline(compression)) {
          const own = recycle ? buffer.slice(0, length) : buffer
          if (recycle) spares.give(buffer as ArrayBuffer)
          return (await getDecoder(compression, decoderParameters as never)).decode(own)
        }
        return new Promise<ArrayBufferLike>((resolve, reject) => {
          if (queued.length === 0) setImmediate(flush)
          queued.push({ compression, decoderParameters, buffer, length, recycle, resolve, reject })
        })
      }
    }),
    block: (n: number): Uint8Array<ArrayBuffer> => new Uint8Array(spares.take(n), 0, n),
    inline: (compression: number) => inline(compression),
    spares: () => spares.count,
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
  return pool as unknown as DecoderPool & Pool
}
