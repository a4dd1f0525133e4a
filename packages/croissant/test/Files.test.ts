// Real files in a temporary directory: the caller hashes them, and the emitted sha256 and contentSize
// must equal what is recomputed from the bytes on disk.
import { assert, describe, it } from "@effect/vitest"
import { createHash } from "node:crypto"
import { mkdtempSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { Croissant } from "../src/index.ts"
import { description, storeFiles } from "./fixture.ts"

describe("Croissant with real files", () => {
  it("emitted sha256 and contentSize match the files they describe", () => {
    const dir = mkdtempSync(join(tmpdir(), "eoforge-croissant-"))
    try {
      const d = description()
      const extra = new Uint8Array(4096).map((_, i) => (i * 31 + 7) & 255)
      const written: Array<readonly [string, string | Uint8Array]> = [
        ...storeFiles,
        ["stats.json", extra]
      ]
      for (const [path, content] of written) {
        const file = join(dir, d.store.path, path)
        mkdirSync(dirname(file), { recursive: true })
        writeFileSync(file, content)
      }
      // The caller's side: hash what is on disk.
      const files = written.map(([path]) => {
        const bytes = readFileSync(join(dir, d.store.path, path))
        return {
          path,
          size: bytes.length,
          sha256: createHash("sha256").update(bytes).digest("hex")
        }
      })
      const doc = Croissant.make({ ...d, store: { ...d.store, files } }) as any
      writeFileSync(join(dir, Croissant.fileName), Croissant.toJson(doc))

      // The consumer's side: resolve each contentUrl against the Croissant file and recompute.
      const reread = JSON.parse(readFileSync(join(dir, Croissant.fileName), "utf8"))
      const objects = reread.distribution.filter((r: any) => r["@type"] === "cr:FileObject")
      assert.strictEqual(objects.length, written.length)
      for (const fo of objects) {
        const file = join(dir, fo.contentUrl)
        const bytes = readFileSync(file)
        assert.strictEqual(
          fo.sha256,
          createHash("sha256").update(bytes).digest("hex"),
          fo.contentUrl
        )
        assert.strictEqual(fo.contentSize, `${statSync(file).size} B`, fo.contentUrl)
      }
      const stats = objects.find((r: any) => r.name === "stats.json")
      assert.strictEqual(stats.contentSize, "4096 B")
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it("a file changed after hashing no longer matches its emitted sha256", () => {
    const d = description()
    const doc = Croissant.make(d) as any
    const root = doc.distribution.find((r: any) => r.name === "zarr.json")
    const tampered = `${storeFiles[0][1]} `
    assert.notStrictEqual(root.sha256, createHash("sha256").update(tampered).digest("hex"))
    assert.strictEqual(root.sha256, createHash("sha256").update(storeFiles[0][1]).digest("hex"))
  })
})
