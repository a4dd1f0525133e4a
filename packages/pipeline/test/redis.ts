// A real redis-server on a free loopback port for the queue tests (no persistence), started within 10 s or
// failing with its log.
import { spawn, spawnSync, type ChildProcess } from "node:child_process"
import { createServer } from "node:net"

/** Whether `redis-server` is on PATH (Debian `redis-server`). */
export const haveRedis = spawnSync("redis-server", ["--version"]).status === 0

/** A port free on 127.0.0.1 when asked. */
export const freePort = () =>
  new Promise<number>((ok, ko) => {
    const server = createServer()
    server.once("error", ko)
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as { port: number }).port
      server.close(() => ok(port))
    })
  })

/** A running redis-server and its URL; kill `process` when done. */
export interface Redis {
  readonly url: string
  readonly process: ChildProcess
}

/** Starts redis-server on a free port; fails with its log when it is not ready within 10 s or exits. */
export const startRedis = async (): Promise<Redis> => {
  const port = await freePort()
  const child = spawn(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
    { stdio: ["ignore", "pipe", "pipe"] }
  )
  await new Promise<void>((ok, ko) => {
    let log = ""
    const timer = setTimeout(() => ko(new Error(`redis-server did not start:\n${log}`)), 10_000)
    child.stdout!.on("data", (chunk: Buffer) => {
      log += chunk.toString()
      if (log.includes("Ready to accept connections")) {
        clearTimeout(timer)
        ok()
      }
    })
    child.once("exit", (code) => ko(new Error(`redis-server exited with ${code}:\n${log}`)))
  })
  return { url: `redis://127.0.0.1:${port}`, process: child }
}
