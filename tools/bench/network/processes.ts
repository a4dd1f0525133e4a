// Child processes of the network benchmark: the eoforge launcher and its environment, running a child
// with its CPU per thread from /proc, a process's CPU seconds, and a summary of V8's GC trace lines.
import { spawn } from "node:child_process"
import { readdirSync, readFileSync } from "node:fs"
import { join, resolve } from "node:path"

const root = resolve(import.meta.dirname, "../../..")
// The launcher users run (bin/eoforge.js: compile cache, sources inside the repository).
export const cli = join(root, "packages/cli/bin/eoforge.js")
export const node = [process.execPath, "--conditions=@eoforge/source"]
export const env = { ...process.env, SOURCE_DATE_EPOCH: "1767225600" }

/**
 * What V8's `--trace-gc --trace-incremental-marking` lines say: mark-compacts and scavenges with their time,
 * and what started each incremental marking (allocation limit, V8's task, external memory pressure).
 */
export const gcSummary = (text: string): string => {
  // Lines start "[pid:isolate" (the first isolate seen is the main thread's): one summary per isolate.
  const isolateOf = (l: string) => /^\[\d+:(0x[0-9a-f]+)/.exec(l)?.[1]
  const isolates = [...new Set(text.split("\n").map(isolateOf))].filter((t) => t !== undefined)
  if (isolates.length > 1)
    return isolates
      .map((t, i) => {
        const own = text.split("\n").filter((l) => isolateOf(l) === t)
        return `${i === 0 ? "main" : `thread ${i}`}: ${gcSummary(own.join("\n"))}`
      })
      .join("; ")
  const lines = text.split("\n")
  const ms = (l: string) => Number(/, ([\d.]+) \/ [\d.]+ ms/.exec(l)?.[1] ?? 0)
  const of = (kind: string) => {
    const found = lines.filter((l) => l.includes(kind))
    return `${found.length} ${kind} (${found.reduce((a, l) => a + ms(l), 0).toFixed(0)} ms)`
  }
  const starts = new Map<string, number>()
  for (const m of text.matchAll(/\[IncrementalMarking\] Start \(([^)]*)\)/g))
    starts.set(m[1], (starts.get(m[1]) ?? 0) + 1)
  return `${of("Mark-Compact")}, ${of("Scavenge")}; incremental marking started by ${JSON.stringify(Object.fromEntries(starts))}`
}

/** User + system CPU seconds of a process (all its threads) from /proc, 0 when it is gone. */
export const processCpu = (pid: number | undefined): number => cpuAt(`/proc/${pid}/stat`)

/**
 * A process's CPU seconds by thread: "main", and the others summed by thread name (V8Worker: V8's GC and
 * compiler helpers; libuv-worker: node's pool, where inflate runs). Empty when the process is gone.
 */
export const threadCpu = (pid: number | undefined): Map<string, number> => {
  const byName = new Map<string, number>()
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const name =
        tid === String(pid) ? "main" : readFileSync(`/proc/${pid}/task/${tid}/comm`, "utf8").trim()
      byName.set(name, (byName.get(name) ?? 0) + cpuAt(`/proc/${pid}/task/${tid}/stat`))
    }
  } catch {
    // The process (or one thread) is gone.
  }
  return byName
}

/** User + system CPU seconds in a /proc `stat` file (a process or one thread), 0 when it is gone. */
export const cpuAt = (stat: string): number => {
  try {
    const fields = readFileSync(stat, "utf8").split(") ")[1].split(" ")
    return (Number(fields[11]) + Number(fields[12])) / 100
  } catch {
    return 0
  }
}

// The simulator and the catalogue run in this process: children are awaited, never run synchronously.
// `threads`: CPU seconds per thread of the process /usr/bin/time runs, sampled every 100 ms from /proc (the
// last sample before the thread ended): "main", and the others summed by thread name.
export const runChild = (
  command: string,
  args: ReadonlyArray<string>,
  threads?: Map<string, number>
): Promise<{ status: number | null; stdout: string; stderr: string }> =>
  new Promise((resolve) => {
    const child = spawn(command, args, { env, stdio: ["ignore", "pipe", "pipe"] })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (d) => (stdout += d))
    child.stderr.on("data", (d) => (stderr += d))
    const last = new Map<string, { name: string; cpu: number }>()
    const poll =
      threads === undefined
        ? undefined
        : setInterval(() => {
            try {
              const timed = child.pid
              const pid = readFileSync(`/proc/${timed}/task/${timed}/children`, "utf8").trim()
              for (const tid of readdirSync(`/proc/${pid}/task`)) {
                const comm = readFileSync(`/proc/${pid}/task/${tid}/comm`, "utf8").trim()
                last.set(tid, {
                  name: tid === pid ? "main" : comm,
                  cpu: cpuAt(`/proc/${pid}/task/${tid}/stat`)
                })
              }
            } catch {
              // The process is starting or gone.
            }
          }, 100)
    child.once("exit", (status) => {
      if (poll !== undefined) clearInterval(poll)
      for (const { name, cpu } of last.values()) threads?.set(name, (threads.get(name) ?? 0) + cpu)
      resolve({ status, stdout, stderr })
    })
  })

export const cpuOf = (stderr: string) => {
  const user = Number(/User time \(seconds\): ([\d.]+)/.exec(stderr)?.[1] ?? NaN)
  const system = Number(/System time \(seconds\): ([\d.]+)/.exec(stderr)?.[1] ?? NaN)
  return user + system
}
