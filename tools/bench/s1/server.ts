// The HTTP host of tools/bench/s1 in a process of its own (as a remote object store would be): serves one
// file under any path with byte ranges on 127.0.0.1 and prints its port; neither side of the benchmark pays
// for serving. Run: node tools/bench/s1/server.ts <file>
import { createReadStream, statSync } from "node:fs"
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"

const file = process.argv[2] ?? ""
const size = statSync(file).size
const server = createServer((req, res) => {
  const m = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? "")
  if (req.method === "HEAD" || m === null) {
    res.writeHead(200, { "content-length": size, "accept-ranges": "bytes" })
    if (req.method === "HEAD") res.end()
    else createReadStream(file).pipe(res)
    return
  }
  const start = Number(m[1])
  const end = Math.min(m[2] === "" ? size - 1 : Number(m[2]), size - 1)
  res.writeHead(206, {
    "content-range": `bytes ${start}-${end}/${size}`,
    "content-length": end - start + 1,
    "accept-ranges": "bytes"
  })
  createReadStream(file, { start, end }).pipe(res)
})
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(`${(server.address() as AddressInfo).port}\n`)
})
process.on("disconnect", () => server.close())
process.stdin.on("end", () => process.exit(0))
process.stdin.resume()
