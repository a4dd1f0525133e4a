import { AccessPolicy } from "@eoforge/core"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { Guarded } from "../src/index.ts"

// A body sent in pieces of 7,000 bytes (several socket reads), with a Content-Length or chunked.
const body = new Uint8Array(200_000).map((_, i) => (i * 31 + (i >> 8)) & 255)
const policy = AccessPolicy.make({ hosts: ["127.0.0.1"], allowPrivateNetworks: true })
let server: Server
// The client ports the server saw: one per connection.
const sockets = new Set<string>()
let base = ""

beforeAll(async () => {
  server = createServer((req, res) => {
    sockets.add(`${req.socket.remotePort}`)
    if (req.url === "/busy") {
      const xml =
        "<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>"
      return void res.writeHead(503, { "content-length": xml.length }).end(xml)
    }
    if (req.url === "/busy-unsized") {
      res.writeHead(503).write("<Error>")
      return void setTimeout(() => res.end("SlowDown</Error>"), 300)
    }
    const sized = req.url === "/sized"
    res.writeHead(200, sized ? { "content-length": String(body.byteLength) } : {})
    let at = 0
    const next = () => {
      if (at >= body.byteLength) return void res.end()
      res.write(body.subarray(at, at + 7000))
      at += 7000
      setImmediate(next)
    }
    next()
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

const get = (path: string) => Guarded.request(`${base}${path}`, {}, { policy })

describe("a response body", () => {
  for (const path of ["/sized", "/chunked"]) {
    it(`arrives whole, in an ArrayBuffer of its own (${path.slice(1)})`, async () => {
      const bytes = await (await get(path)).bytes()
      assert.strictEqual(bytes.byteLength, body.byteLength)
      assert.strictEqual(bytes.byteOffset, 0)
      assert.strictEqual(bytes.buffer.byteLength, body.byteLength)
      assert.deepStrictEqual(bytes, body)
    })

    it(`arrives as the pieces it was read in, uncopied, adding up to the body (${path.slice(1)})`, async () => {
      const chunks = await (await get(path)).chunks()
      assert.isAbove(chunks.length, 1)
      assert.isTrue(chunks.every((c) => Object.getPrototypeOf(c) === Uint8Array.prototype))
      const joined = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0))
      let at = 0
      for (const chunk of chunks) {
        joined.set(chunk, at)
        at += chunk.byteLength
      }
      assert.deepStrictEqual(joined, body)
      const refused = await (await get(path)).chunks(150_000).then(
        () => undefined,
        (e: unknown) => e
      )
      assert.match(String(refused), /larger than 150000 bytes/)
    })

    it(`longer than the caller's limit is refused (${path.slice(1)})`, async () => {
      const response = await get(path)
      const error = await response.bytes(150_000).then(
        () => undefined,
        (e: unknown) => e
      )
      assert.instanceOf(error, Error)
      assert.match((error as Error).message, /larger than 150000 bytes/)
    })
  }
})

describe("a discarded response", () => {
  it("with a short body keeps its connection for the next request; one of unknown length still arriving closes it", async () => {
    sockets.clear()
    for (let i = 0; i < 5; i++) {
      const response = await get("/busy")
      assert.strictEqual(response.status, 503)
      response.discard()
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
    assert.strictEqual(sockets.size, 1)
    sockets.clear()
    for (let i = 0; i < 3; i++) {
      ;(await get("/busy-unsized")).discard()
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
    assert.strictEqual(sockets.size, 3)
  })
})
