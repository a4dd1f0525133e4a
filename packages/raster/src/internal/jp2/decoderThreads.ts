// JPEG 2000 tile decoding off the main thread: a small pool of worker threads running OpenJPEG (jp2Worker.ts),
// each job sent to the thread with the fewest in flight. Idle threads do not keep the process alive.
import { availableParallelism } from "node:os"
import { Worker } from "node:worker_threads"
import type { TileJob } from "./tileDecoder.ts"

interface Thread {
  readonly worker: Worker
  readonly pending: Map<number, { resolve: (b: ArrayBuffer) => void; reject: (e: Error) => void }>
}

let threads: Array<Thread> | undefined
let nextId = 0

// The worker module: the TypeScript source inside the repository, compiled JavaScript once installed.
const spawn = (): Thread => {
  const worker = new Worker(
    new URL(`./jp2Worker.${import.meta.url.endsWith(".ts") ? "ts" : "js"}`, import.meta.url)
  )
  const thread: Thread = { worker, pending: new Map() }
  worker.on("message", (m: { id: number; buffer?: ArrayBuffer; error?: string }) => {
    const p = thread.pending.get(m.id)
    thread.pending.delete(m.id)
    if (thread.pending.size === 0) worker.unref()
    if (m.buffer !== undefined) p?.resolve(m.buffer)
    else p?.reject(new Error(m.error ?? "the JPEG 2000 decoder thread failed"))
  })
  // A thread that dies fails its jobs and is replaced on the next job.
  const fail = (why: string) => {
    for (const p of thread.pending.values())
      p.reject(new Error(`the JPEG 2000 decoder thread ${why}`))
    thread.pending.clear()
    if (threads !== undefined) threads = threads.filter((t) => t !== thread)
  }
  worker.on("error", (e) => fail(`failed: ${e.message}`))
  worker.on("exit", (code) => fail(`exited (code ${code})`))
  worker.unref()
  return thread
}

/** Decodes a tile job on one of min(4, cores) shared decoder threads. */
export const decodeOnThread = (job: TileJob): Promise<ArrayBuffer> => {
  const size = Math.min(4, availableParallelism())
  threads ??= []
  while (threads.length < size) threads.push(spawn())
  const thread = threads.reduce((a, b) => (b.pending.size < a.pending.size ? b : a))
  const id = nextId++
  return new Promise<ArrayBuffer>((resolve, reject) => {
    thread.pending.set(id, { resolve, reject })
    thread.worker.ref()
    const copy = job.codestream.slice()
    thread.worker.postMessage({ id, job: { ...job, codestream: copy } }, [copy.buffer])
  })
}
