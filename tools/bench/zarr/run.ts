// Write and read throughput of @eoforge/zarr on uint16 13×264×264 chips with zstd, and zarr-python
// doing the same in the same run (inside the Debian trixie chroot of tools/zarr-check, when present).
// Usage: npx node tools/bench/zarr/run.ts [chips=64] [shardSamples=16]
import { Layout, Reader, ShardWriter, Store } from "@eoforge/zarr"
import { Effect } from "effect"
import * as zarr from "zarrita"
import { FileSystemStore } from "@zarrita/storage"
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"

const count = Number(process.argv[2] ?? 64)
const shardSamples = Number(process.argv[3] ?? 16)
const B = 13
const H = 264
const W = 264
const n = B * H * W
const mb = (count * n * 2) / 1e6

// Seeded, smooth fields plus noise: compresses like optical reflectance (ratio ~1.4 at zstd 1).
let seed = 12345
const rnd = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296
const chips: Array<Uint16Array> = []
for (let c = 0; c < count; c++) {
  const a = new Uint16Array(n)
  for (let b = 0; b < B; b++)
    for (let y = 0; y < H; y++)
      for (let x = 0; x < W; x++)
        a[(b * H + y) * W + x] =
          1000 +
          b * 300 +
          Math.round(500 * Math.sin((x + c * 7) / 20) * Math.cos(y / 30) + rnd() * 60)
  chips.push(a)
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "eoforge-zarr-bench-"))
const dir = path.join(tmp, "eoforge.zarr")
const layoutInput: Layout.LayoutInput = {
  samples: count,
  shardSamples,
  products: [
    {
      spec: {
        id: "s2l1c",
        dtype: "uint16",
        resolution: 10,
        bands: Array.from({ length: B }, (_, i) => ({ name: `B${i + 1}` }))
      },
      times: 1,
      height: H,
      width: W
    }
  ],
  attributes: {
    eoforgeVersion: "bench",
    recipe: {},
    seed: 0,
    createdAt: "2025-01-01T00:00:00Z",
    licences: []
  }
}

const write = Effect.gen(function* () {
  const layout = yield* Layout.make(layoutInput)
  yield* Layout.create(layout)
  for (let shard = 0; shard < Layout.shardCount(layout); shard++) {
    const w = yield* ShardWriter.make(layout, "s2l1c", shard)
    const [start, end] = Layout.shardRange(layout, shard)
    for (let s = start; s < end; s++) yield* w.add(s, 0, chips[s])
    yield* w.publish
  }
}).pipe(Effect.provide(Store.layerFileSystem(dir)))

const mismatched = (chip: Uint16Array, s: number) =>
  chip.length !== n || chip[12345] !== chips[s][12345] || chip[n - 1] !== chips[s][n - 1]

const read = Effect.gen(function* () {
  const ds = yield* Reader.open(dir)
  let bad = 0
  for (let s = 0; s < count; s++) {
    if (mismatched((yield* ds.readChip("s2l1c", s, 0)) as Uint16Array, s)) bad++
  }
  yield* ds.close
  return bad
})

// The previous read path: zarrita's sharding codec over the same files (with the Node zstd the
// Reader registers), one `zarr.get` per chip.
const readZarrita = async () => {
  const arr = await zarr.open.v3(zarr.root(new FileSystemStore(dir)).resolve("s2l1c/data"), {
    kind: "array"
  })
  let bad = 0
  for (let s = 0; s < count; s++) {
    const chip = (await zarr.get(arr, [s, 0, null, null, null])).data as Uint16Array
    if (mismatched(chip, s)) bad++
  }
  return bad
}

const cpu = () => {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1e6
}
const load0 = os
  .loadavg()
  .map((l) => l.toFixed(1))
  .join(" / ")
const c0 = cpu()
const t0 = performance.now()
await Effect.runPromise(write)
const t1 = performance.now()
const c1 = cpu()
const bad = await Effect.runPromise(read)
const t2 = performance.now()
const c2 = cpu()
const badZarrita = await readZarrita()
const t3 = performance.now()
const c3 = cpu()
let stored = 0
for (const f of fs.readdirSync(dir, { recursive: true, withFileTypes: true }))
  if (f.isFile() && f.parentPath.includes(`${path.sep}data${path.sep}`))
    stored += fs.statSync(path.join(f.parentPath, f.name)).size

const rows: Array<string> = []
const rate = (seconds: number | undefined) =>
  seconds === undefined ? "—" : (mb / seconds).toFixed(0)
const row = (who: string, w: number | undefined, r: number, wc: number | undefined, rc: number) =>
  rows.push(`| ${who} | ${rate(w)} | ${rate(wc)} | ${rate(r)} | ${rate(rc)} |`)
row(
  "EOForge (node:zlib zstd 1, own sharding; direct shard reads)",
  (t1 - t0) / 1000,
  (t2 - t1) / 1000,
  c1 - c0,
  c2 - c1
)
row(
  "zarrita 0.7.5 reading the EOForge store (previous read path)",
  undefined,
  (t3 - t2) / 1000,
  undefined,
  c3 - c2
)

const chroot = "/opt/trixie"
let python =
  "zarr-python: not run (no Debian trixie chroot at /opt/trixie; see tools/zarr-check/README.md)"
if (fs.existsSync(path.join(chroot, "usr/lib/python3/dist-packages/zarr"))) {
  try {
    const inside = "/tmp/eoforge-zarr-bench"
    fs.rmSync(path.join(chroot, inside), { recursive: true, force: true })
    fs.mkdirSync(path.join(chroot, inside), { recursive: true })
    const raw = fs.openSync(path.join(chroot, inside, "chips.u16"), "w")
    for (const c of chips) fs.writeSync(raw, new Uint8Array(c.buffer))
    fs.closeSync(raw)
    fs.copyFileSync(
      path.join(import.meta.dirname, "bench.py"),
      path.join(chroot, inside, "bench.py")
    )
    if (!fs.existsSync(path.join(chroot, "proc/meminfo")))
      execFileSync("mount", ["-t", "proc", "proc", path.join(chroot, "proc")])
    const out = execFileSync(
      "chroot",
      [
        chroot,
        "python3",
        `${inside}/bench.py`,
        `${inside}/chips.u16`,
        String(count),
        String(shardSamples),
        `${inside}/py.zarr`
      ],
      { encoding: "utf8" }
    )
    const r = JSON.parse(out.trim().split("\n").pop()!) as {
      write_s: number
      read_s: number
      write_cpu_s: number
      read_cpu_s: number
      equal: boolean
      zarr: string
    }
    row(
      `zarr-python ${r.zarr} (numcodecs zstd 1, sharded; values equal: ${r.equal})`,
      r.write_s,
      r.read_s,
      r.write_cpu_s,
      r.read_cpu_s
    )
    python = `zarr-python ${r.zarr} in ${chroot}`
    fs.rmSync(path.join(chroot, inside), { recursive: true, force: true })
  } catch (e) {
    python = `zarr-python: failed (${String(e)})`
  }
}
fs.rmSync(tmp, { recursive: true, force: true })

process.stdout.write(
  `${count} chips uint16 ${B}×${H}×${W} (${mb.toFixed(1)} MB raw), ${shardSamples} chips per shard, ` +
    `stored ${(stored / 1e6).toFixed(1)} MB (ratio ${((count * n * 2) / stored).toFixed(2)}), ${bad} + ${badZarrita} mismatched chips; ${python}; ` +
    `load average (1/5/15 min) ${load0} at the start, ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(" / ")} at the end\n\n` +
    `| writer / reader | write MB/s wall | write MB/s per CPU-second | read MB/s wall (chip by chip) | read MB/s per CPU-second |\n|---|---|---|---|---|\n` +
    rows.join("\n") +
    "\n"
)
