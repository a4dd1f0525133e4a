// Reads an annotation XML (local path or http(s) URL) under the build's access policy, bounded in size.
import { Guarded } from "@eoforge/access"
import { Redact } from "@eoforge/core"
import { RasterAccess } from "@eoforge/raster"
import { Effect } from "effect"
import { maxXmlBytes } from "./xml.ts"
import { S1Error } from "../S1Error.ts"

/** The text at `uri`; AnnotationMissing (naming the asset) when it cannot be read. */
export const readText = (uri: string): Effect.Effect<string, S1Error> =>
  Effect.gen(function* () {
    const access = yield* RasterAccess.RasterAccess
    const guard = { policy: access.policy, resolve: access.resolve }
    const shown = Redact.forMessage(uri)
    return yield* Effect.tryPromise({
      try: async () => {
        if (/^https?:/i.test(uri)) {
          const res = await Guarded.request(uri, {}, guard)
          if (res.status !== 200) {
            res.discard()
            throw new Error(`HTTP ${res.status}`)
          }
          return new TextDecoder().decode(await res.bytes(maxXmlBytes))
        }
        const path = /^file:/i.test(uri) ? decodeURIComponent(new URL(uri).pathname) : uri
        const fh = await Guarded.openFile(path, guard)
        try {
          const { size } = await fh.stat()
          if (size > maxXmlBytes) throw new Error(`${size} bytes, over ${maxXmlBytes}`)
          const buf = Buffer.alloc(size)
          await fh.read(buf, 0, size, 0)
          return buf.toString("utf8")
        } finally {
          await fh.close()
        }
      },
      catch: (e) =>
        new S1Error({
          asset: shown,
          problem: "AnnotationMissing",
          message: `${shown} cannot be read (${e instanceof Error ? e.message : String(e)}); the product's annotation XML must sit beside its measurement as in the SAFE layout`,
          cause: e
        })
    })
  })
