// A local file as a byte source for geotiff.js: positioned reads of a regular file the guard allows.
import type { FileHandle } from "node:fs/promises"
import { Guarded } from "@eoforge/access"
import type { ByteSource } from "./byteSource.ts"

const { openFile } = Guarded
type Guard = Guarded.Guard

/** A local file opened for positioned reads: a regular file the guard allows (see access.ts). */
export const openLocal = async (path: string, guard: Guard = {}): Promise<ByteSource> => {
  const handle: FileHandle = await openFile(path, guard)
  const size = (await handle.stat()).size
  const stats = { requests: 0, bytes: 0 }
  return {
    fileSize: size,
    stats,
    close: () => handle.close(),
    readInto: async (target, position) => {
      const n = Math.max(0, Math.min(target.length, size - position))
      let done = 0
      while (done < n) {
        const { bytesRead } = await handle.read(target, done, n - done, position + done)
        if (bytesRead === 0) break
        done += bytesRead
      }
      stats.requests++
      stats.bytes += done
      return done
    },
    fetch: (slices) =>
      Promise.all(
        slices.map(async ({ offset, length }) => {
          const n = Math.max(0, Math.min(length, size - offset))
          const buffer = new Uint8Array(n)
          if (n > 0) await handle.read(buffer, 0, n, offset)
          stats.requests++
          stats.bytes += n
          return buffer.buffer
        })
      )
  }
}
