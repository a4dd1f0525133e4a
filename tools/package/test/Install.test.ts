// Every package packed, installed into a project outside the repository, imported from plain JavaScript,
// typechecked from TypeScript, and the CLI installed globally running `eoforge build demo`.
import { assert, describe, it } from "@effect/vitest"
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, inject } from "vitest"
import { copiesOf, exec, modulesOf, npmInstall, writeConsumer } from "../consumer.ts"
import { inOrder, root } from "../packages.ts"

const packed = inject("packed")
const registry = inject("registry")
const tsc = fileURLToPath(new URL("../../../node_modules/typescript/bin/tsc", import.meta.url))
const typesNode = JSON.parse(
  readFileSync(join(root, "node_modules/@types/node/package.json"), "utf8")
).version as string

const project = mkdtempSync(join(tmpdir(), "eoforge-consumer-"))
afterAll(() => rmSync(project, { recursive: true, force: true }))

const seconds = (t0: number) => Math.round((performance.now() - t0) / 100) / 10

describe("the packed packages, installed outside the repository", () => {
  it("pack every workspace package, each with its build and without its sources or tests", () => {
    assert.deepStrictEqual(
      packed.map((p) => p.name).sort(),
      inOrder()
        .map((p) => p.name)
        .sort()
    )
    for (const p of packed) {
      assert.notProperty(p.manifest, "private", p.name)
      assert.include(JSON.stringify(p.manifest.exports), "dist/", p.name)
    }
    assert.isFalse(project.startsWith(root), "the consumer project is outside the repository")
  })

  it("install from the tarballs (third-party packages from the npm registry) and import from JavaScript on Node 24", async () => {
    writeFileSync(
      join(project, "package.json"),
      JSON.stringify({ name: "consumer", private: true, type: "module" }, null, 2)
    )
    const t0 = performance.now()
    await npmInstall(project, registry, [
      ...packed.map((p) => `${p.name}@${p.version}`),
      `@types/node@${typesNode}`
    ])
    const installSeconds = seconds(t0)
    const lock = JSON.parse(readFileSync(join(project, "package-lock.json"), "utf8"))
    assert.deepStrictEqual(
      copiesOf(project, "effect"),
      ["node_modules/effect"],
      "one copy of effect"
    )
    writeConsumer(project)
    for (const [path, entry] of Object.entries<any>(lock.packages)) {
      if (!path.includes("node_modules/@eoforge/")) continue
      const from = String(entry.resolved ?? "")
      assert.isFalse(from.includes("registry.npmjs.org"), `${path} comes from the tarballs`)
    }
    const t1 = performance.now()
    const { stdout } = await exec(process.execPath, ["index.mjs"], project)
    const importSeconds = seconds(t1)
    const keys = JSON.parse(stdout) as Record<string, ReadonlyArray<string>>
    const node = (await exec(process.execPath, ["--version"], project)).stdout.trim()
    assert.match(node, /^v24\./)
    for (const p of inOrder()) {
      assert.deepStrictEqual(keys[p.name], [...modulesOf(p.folder)].sort(), p.name)
    }
    console.log(
      `packaging: pack ${inject("packSeconds").toFixed(1)} s, install ${installSeconds} s, import of ${packed.length} packages ${importSeconds} s (${node})`
    )
  })

  it("typecheck a TypeScript consumer against the declarations, and reject a wrong type", async () => {
    const ok = await exec(process.execPath, [tsc, "-p", "tsconfig.json"], project).catch(
      (e: { stdout: string }) => ({ stdout: e.stdout, failed: true })
    )
    assert.notProperty(ok, "failed", ok.stdout)
    const wrong = await exec(process.execPath, [tsc, "-p", "tsconfig.wrong.json"], project).then(
      () => "",
      (e: { stdout: string }) => e.stdout
    )
    assert.include(wrong, "error TS2322")
    assert.include(wrong, "wrong.ts")
  })

  it("install the CLI globally and build the offline demo with the installed `eoforge`", async () => {
    const prefix = join(project, "global")
    const work = join(project, "work")
    mkdirSync(work, { recursive: true })
    await npmInstall(
      work,
      registry,
      ["@eoforge/cli@" + packed[0]!.version],
      ["--global", `--prefix=${prefix}`]
    )
    const eoforge = join(prefix, "bin", "eoforge")
    assert.isTrue(existsSync(eoforge))
    const version = await exec(eoforge, ["--version"], work)
    assert.include(version.stdout, packed.find((p) => p.name === "@eoforge/cli")!.version)
    const t0 = performance.now()
    const built = await exec(eoforge, ["build", "demo", "--json", "--log-format", "json"], work, {
      SOURCE_DATE_EPOCH: "1700000000"
    })
    const buildSeconds = seconds(t0)
    const result = JSON.parse(built.stdout)
    assert.strictEqual(result.summary.samples, 48)
    assert.isTrue(existsSync(join(work, "out/demo.zarr/zarr.json")))
    assert.isTrue(existsSync(join(work, "out/demo.zarr/croissant.json")))
    console.log(`packaging: installed eoforge build demo ${buildSeconds} s`)
  })
})
