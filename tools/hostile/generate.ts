// Writes the hostile inputs of files.ts into a folder, for trying them by hand on any build or tool:
//   node tools/hostile/generate.ts out/hostile
// (gdalinfo on each shows what GDAL makes of them; the hostile tests generate them afresh in a temp folder.)
import { mkdirSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import * as Hostile from "./files.ts"

const dir = process.argv[2] ?? "out/hostile"
mkdirSync(dir, { recursive: true })
const files: ReadonlyArray<readonly [string, () => Uint8Array | Promise<Uint8Array>]> = [
  ["valid.tif", Hostile.valid],
  ["cyclic-ifd.tif", Hostile.cyclicIfd],
  ["self-ifd.tif", Hostile.selfIfd],
  ["tilewidth-0.tif", Hostile.tileWidthZero],
  ["absurd-tiles.tif", Hostile.absurdTiles],
  ["blocks-outside.tif", Hostile.blocksOutside],
  ["huge-tag-count.tif", Hostile.hugeTagCount],
  ["deflate-bomb-261k.tif", () => Hostile.deflateBomb(261_000)],
  ["deflate-bomb-1m.tif", () => Hostile.deflateBomb(1_000_000)],
  ["zstd-tile-bomb.tif", () => Hostile.zstdTileBomb(2 ** 30)],
  ["zstd-bomb-1g.zst", () => Hostile.zstdBombFrame(2 ** 30)]
]
for (const [name, make] of files) {
  const bytes = await make()
  writeFileSync(join(dir, name), bytes)
  process.stdout.write(`${join(dir, name)}\t${bytes.length} bytes\n`)
}
