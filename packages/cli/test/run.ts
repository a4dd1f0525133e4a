// Running the `eoforge` command as a child process, as users do: exit code, stdout and stderr.
// Node 24 runs the TypeScript entry point directly (type stripping).
import { spawn, type ChildProcess } from "node:child_process"
import { existsSync } from "node:fs"
import { fileURLToPath } from "node:url"

/** The entry point of the command. */
export const bin = fileURLToPath(new URL("../src/bin.ts", import.meta.url))
/** The repository root (the working directory of the runs). */
export const root = fileURLToPath(new URL("../../../", import.meta.url))
/** The small test recipe of the pipeline package (6 patches of the offline demo, shards of 2). */
export const smallRecipe = fileURLToPath(
  new URL("../../pipeline/test/fixtures/small.yaml", import.meta.url)
)

const repoNode = fileURLToPath(new URL("../../../node_modules/.bin/node", import.meta.url))

/** A Node binary that strips types: this one when it is Node ≥ 24, else the repository's. */
export const node =
  Number(process.versions.node.split(".")[0]) >= 24 || !existsSync(repoNode)
    ? process.execPath
    : repoNode

/** The outcome of a run. */
export interface Outcome {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
}

/** Fixed creation instant, so that stores built in different runs are byte-identical. */
export const env = { ...process.env, SOURCE_DATE_EPOCH: "1700000000", NO_COLOR: "1" }

/** Start `eoforge args…`; `onStderrLine` sees each stderr line as it arrives. */
export const start = (
  args: ReadonlyArray<string>,
  onStderrLine?: (line: string, child: ChildProcess) => void
): { readonly child: ChildProcess; readonly done: Promise<Outcome> } => {
  const child = spawn(node, [bin, ...args], { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] })
  let stdout = ""
  let stderr = ""
  let pending = ""
  child.stdout!.on("data", (c: Buffer) => (stdout += c.toString("utf8")))
  child.stderr!.on("data", (c: Buffer) => {
    const text = c.toString("utf8")
    stderr += text
    pending += text
    let nl: number
    while ((nl = pending.indexOf("\n")) >= 0) {
      const line = pending.slice(0, nl)
      pending = pending.slice(nl + 1)
      onStderrLine?.(line, child)
    }
  })
  const done = new Promise<Outcome>((resolve, reject) => {
    child.on("error", reject)
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }))
  })
  return { child, done }
}

/** Run `eoforge args…` to its end. */
export const run = (...args: ReadonlyArray<string>): Promise<Outcome> => start(args).done

/** The JSON lines of a run's stderr (progress with --log-format json). */
export const jsonLines = (stderr: string): ReadonlyArray<any> =>
  stderr
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l))
