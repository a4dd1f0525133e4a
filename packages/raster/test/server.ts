// A local HTTP server on 127.0.0.1 for the tests: Range requests over fixture files, plus failure modes
// (404, 503 a given number of times, a server that never answers). Counts bytes sent per path.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import { readFileSync } from "node:fs"
import type { AddressInfo } from "node:net"

export interface TestServer {
  readonly url: (path: string) => string
  readonly sent: Map<string, number>
  readonly requests: Map<string, number>
  readonly close: () => Promise<void>
}

/**
 * Serves `files` (path → file on disk). `/flaky/<n>/<path>` fails with 503 n times first; `/headeronly/<path>`
 * answers 503 to every range past the first 16 KiB; `/slow/<ms>/<path>` answers after ms; `/hang` never answers.
 */
export const start = async (files: Record<string, string>): Promise<TestServer> => {
  const sent = new Map<string, number>()
  const requests = new Map<string, number>()
  const failures = new Map<string, number>()
  const hanging: Array<ServerResponse> = []
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    let path = req.url ?? "/"
    requests.set(path, (requests.get(path) ?? 0) + 1)
    if (path.startsWith("/hang")) {
      hanging.push(res)
      return
    }
    const slow = path.match(/^\/slow\/(\d+)(\/.*)$/)
    if (slow !== null) {
      const rest = slow[2]
      setTimeout(() => handler(Object.assign(req, { url: rest }), res), Number(slow[1]))
      return
    }
    const headerOnly = path.match(/^\/headeronly(\/.*)$/)
    if (headerOnly !== null) {
      const from = Number(req.headers.range?.match(/bytes=(\d+)/)?.[1] ?? 0)
      if (from >= 16384) {
        res.writeHead(503).end()
        return
      }
      path = headerOnly[1]
    }
    const flaky = path.match(/^\/flaky\/(\d+)(\/.*)$/)
    if (flaky !== null) {
      const seen = failures.get(path) ?? 0
      if (seen < Number(flaky[1])) {
        failures.set(path, seen + 1)
        res.writeHead(503).end()
        return
      }
      path = flaky[2]
    }
    const file = files[path]
    if (file === undefined) {
      res.writeHead(404).end("not found")
      return
    }
    const body = readFileSync(file)
    const range = req.headers.range?.match(/bytes=(\d+)-(\d+)?/)
    if (range === null || range === undefined) {
      sent.set(path, (sent.get(path) ?? 0) + body.byteLength)
      res.writeHead(200, { "content-length": body.byteLength }).end(body)
      return
    }
    const start = Number(range[1])
    const end = Math.min(
      range[2] === undefined ? body.byteLength - 1 : Number(range[2]),
      body.byteLength - 1
    )
    const part = body.subarray(start, end + 1)
    sent.set(path, (sent.get(path) ?? 0) + part.byteLength)
    res
      .writeHead(206, {
        "content-range": `bytes ${start}-${end}/${body.byteLength}`,
        "content-length": part.byteLength,
        "accept-ranges": "bytes"
      })
      .end(part)
  }
  const server = createServer(handler)
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const port = (server.address() as AddressInfo).port
  return {
    url: (path) => `http://127.0.0.1:${port}${path}`,
    sent,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy()
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}
