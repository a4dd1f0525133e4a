// Progress of long work: a live bar with rate and ETA on a terminal, JSON lines otherwise.
// Writes to stderr so that stdout carries only results (`--json`).
import type { Build } from "@eoforge/pipeline"

/** How progress is shown: `auto` picks pretty on a terminal and json elsewhere. */
export type LogFormat = "auto" | "pretty" | "json"

/** A progress sink for build events. */
export interface Progress {
  readonly onEvent: (event: Build.Event) => void
  /** A free-form line (pretty) or event (json). */
  readonly note: (message: string, fields?: Readonly<Record<string, unknown>>) => void
}

const seconds = (s: number): string =>
  !Number.isFinite(s)
    ? "?"
    : s < 90
      ? `${Math.round(s)}s`
      : `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, "0")}s`

/** A progress sink writing to `out` (default: process.stderr). */
export const make = (
  format: LogFormat,
  out: NodeJS.WriteStream = process.stderr,
  now: () => number = () => performance.now()
): Progress => {
  const pretty = format === "pretty" || (format === "auto" && out.isTTY === true)
  if (!pretty) {
    const line = (fields: Record<string, unknown>) =>
      out.write(JSON.stringify({ time: new Date().toISOString(), ...fields }) + "\n")
    return {
      onEvent: (event) => line({ ...event }),
      note: (message, fields) => line({ type: "note", message, ...fields })
    }
  }
  let started = 0
  let samplesDone = 0
  let samplesTodo = 0
  let live = false
  const bar = (done: number, total: number): string => {
    const width = 24
    const filled = total === 0 ? width : Math.round((done / total) * width)
    return `[${"█".repeat(filled)}${"░".repeat(width - filled)}]`
  }
  return {
    onEvent: (event) => {
      switch (event.type) {
        case "plan": {
          started = now()
          samplesTodo = Math.round((event.todo / Math.max(1, event.shards)) * event.patches)
          out.write(
            `plan: ${event.patches} patches (${event.rejected} of ${event.candidates} candidates rejected for overlap); ` +
              `train ${event.splits.train}, val ${event.splits.val}, test ${event.splits.test}, guard ${event.splits.guard}\n` +
              `store: ${event.store} — ${event.shards} shards, ${event.todo} to build${event.resumed ? " (resuming)" : ""}\n`
          )
          break
        }
        case "shard": {
          samplesDone += event.samples
          const elapsed = (now() - started) / 1000
          const rate = samplesDone / Math.max(elapsed, 1e-3)
          const eta = (samplesTodo - samplesDone) / rate
          const text = `${bar(event.done, event.total)} ${event.done}/${event.total} shards · ${samplesDone} patches · ${rate.toFixed(1)} patches/s · ETA ${seconds(eta)}`
          if (out.isTTY === true) {
            out.write(`\r${text}\x1b[K`)
            live = true
          } else out.write(text + "\n")
          break
        }
        case "finalize":
          if (live) out.write("\n")
          live = false
          out.write("finalizing: statistics, index, Croissant, dataset card\n")
          break
        case "done": {
          if (live) out.write("\n")
          live = false
          const c = event.searches
          if (c !== undefined) {
            out.write(
              `catalogue: ${c.cellSearches} searches of whole search cells, ${c.memoryHits} patch searches answered from memory, ${c.diskHits} cells read from the store's cache, ${c.direct} patch searches sent alone\n`
            )
          }
          const t = event.transfer
          if (t !== undefined && t.requests > 0) {
            out.write(
              `network: ${t.requests} range requests, ${(t.bytes / 1e6).toFixed(1)} MB for ${t.chips} chips (${t.requestsPerChip.toFixed(1)} requests, ${(t.bytesPerChip / 1e6).toFixed(2)} MB per chip), ${t.retries} retried, ${t.throttled} refused as too many (429/503; the host's later requests paced)\n`
            )
          }
          break
        }
      }
    },
    note: (message) => out.write(message + "\n")
  }
}
