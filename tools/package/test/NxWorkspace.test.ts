// The nx plugin in a fresh workspace outside the repository: two recipes get build targets, a second
// `nx run-many -t build` is served from the cache, and the shard fan-out gives the bytes of a single build.
import { assert, describe, it } from "@effect/vitest"
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, inject } from "vitest"
import { copySources, writeRecipe } from "../../../packages/nx-plugin/test/workspace.ts"
import { digest } from "../../../packages/cli/test/tree.ts"
import { copiesOf, exec, npmInstall } from "../consumer.ts"
import { root } from "../packages.ts"

const packed = inject("packed")
const registry = inject("registry")
const nxVersion = JSON.parse(readFileSync(join(root, "node_modules/nx/package.json"), "utf8"))
  .version as string
const version = (name: string) => packed.find((p) => p.name === name)!.version

const workspace = mkdtempSync(join(tmpdir(), "eoforge-nx-"))
afterAll(() => rmSync(workspace, { recursive: true, force: true }))

const env = {
  NX_DAEMON: "false",
  NX_NO_CLOUD: "true",
  NX_TUI: "false",
  CI: "true",
  SOURCE_DATE_EPOCH: "1700000000"
}
/** The installed nx's own bin (package.json `bin.nx`). */
const nxBin = () => {
  const dir = join(workspace, "node_modules/nx")
  return join(dir, JSON.parse(readFileSync(join(dir, "package.json"), "utf8")).bin.nx)
}
const nx = (...args: ReadonlyArray<string>) =>
  exec(
    process.execPath,
    [nxBin(), ...args, ...(args[0] === "show" ? [] : ["--output-style=static"])],
    workspace,
    env
  ).then(
    (r) => r.stdout + r.stderr,
    (e: { stdout: string; stderr: string }) => {
      throw new Error(`nx ${args.join(" ")} failed:\n${e.stdout}\n${e.stderr}`)
    }
  )
/** "N out of M tasks" that nx read from its cache, from the run's closing lines. */
const cacheHits = (out: string): { readonly hits: number; readonly tasks: number } => {
  const m = /from the cache instead of running the command for (\d+) out of (\d+) tasks/.exec(out)
  const ran = /Successfully ran target \S+ for (\d+) projects?/.exec(out)
  return m !== null
    ? { hits: Number(m[1]), tasks: Number(m[2]) }
    : { hits: 0, tasks: Number(ran?.[1] ?? 0) }
}

const storeA = join(workspace, "datasets/olinda-a/out/olinda-a.zarr")
const storeB = join(workspace, "datasets/olinda-b/out/olinda-b.zarr")

describe("@eoforge/nx in a new workspace", () => {
  it("installs nx, the plugin and the CLI, and gives both recipes their targets", async () => {
    writeFileSync(
      join(workspace, "package.json"),
      JSON.stringify({ name: "datasets", private: true, type: "module" }, null, 2)
    )
    writeFileSync(
      join(workspace, "nx.json"),
      JSON.stringify(
        {
          plugins: [{ plugin: "@eoforge/nx", options: { shards: 2 } }],
          useDaemonProcess: false,
          neverConnectToCloud: true
        },
        null,
        2
      )
    )
    copySources(workspace)
    writeRecipe(workspace, "olinda-a", 7, 4)
    writeRecipe(workspace, "olinda-b", 11, 4)
    const t0 = performance.now()
    await npmInstall(
      workspace,
      registry,
      [
        `nx@${nxVersion}`,
        `@eoforge/nx@${version("@eoforge/nx")}`,
        `@eoforge/cli@${version("@eoforge/cli")}`
      ],
      ["--save-dev"]
    )
    assert.deepStrictEqual(
      copiesOf(workspace, "effect"),
      ["node_modules/effect"],
      "one copy of effect"
    )
    console.log(`nx workspace: install ${((performance.now() - t0) / 1000).toFixed(1)} s`)
    const shown = JSON.parse(
      (await nx("show", "project", "olinda-a", "--json")).replace(/^[^{]*/, "")
    )
    assert.includeMembers(Object.keys(shown.targets), [
      "sample",
      "build",
      "build-shard-0",
      "build-shard-1",
      "finalize",
      "export-geotiff"
    ])
  })

  it("runs `nx run-many -t build`, then serves the second run and a deleted store from the cache", async () => {
    const t0 = performance.now()
    const first = await nx("run-many", "-t", "build")
    const firstSeconds = (performance.now() - t0) / 1000
    assert.deepStrictEqual(cacheHits(first), { hits: 0, tasks: 2 }, first)
    assert.isTrue(existsSync(join(storeA, "zarr.json")) && existsSync(join(storeB, "zarr.json")))
    const built = digest(storeA)
    const t1 = performance.now()
    const second = await nx("run-many", "-t", "build")
    const secondSeconds = (performance.now() - t1) / 1000
    assert.deepStrictEqual(cacheHits(second), { hits: 2, tasks: 2 }, second)
    rmSync(storeA, { recursive: true })
    const third = await nx("run-many", "-t", "build")
    assert.deepStrictEqual(cacheHits(third), { hits: 2, tasks: 2 }, third)
    assert.deepStrictEqual(digest(storeA), built, "the cache restores the store byte for byte")
    console.log(
      `nx workspace: run-many -t build ${firstSeconds.toFixed(1)} s, again ${secondSeconds.toFixed(1)} s with 2/2 cache hits`
    )
  })

  it("builds a store as parallel shard tasks then finalize, to the bytes of the single-process build", async () => {
    const single = digest(storeA)
    rmSync(storeA, { recursive: true })
    const out = await nx("run", "olinda-a:finalize", "--parallel", "3")
    for (const task of ["olinda-a:build-shard-0", "olinda-a:build-shard-1", "olinda-a:finalize"]) {
      assert.include(out, task)
    }
    assert.deepStrictEqual(digest(storeA), single)
  })
})
