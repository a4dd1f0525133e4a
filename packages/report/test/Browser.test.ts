// Opens a report in headless Chromium (Debian's `chromium`, installed by .ci/run) through
// playwright-core: the maps and quicklooks must render and the console stay clean. Not skipped when
// Chromium is missing: the failure names the package to install.
import { assert, describe, it } from "@effect/vitest"
import { Store } from "@eoforge/zarr"
import { Effect } from "effect"
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { pathToFileURL } from "node:url"
import { chromium } from "playwright-core"
import { Canvas, Report } from "../src/index.ts"
import { build } from "./fixtures/store.ts"

const executablePath = process.env.EOFORGE_CHROMIUM ?? "/usr/bin/chromium"

describe("the report page in Chromium", () => {
  it.effect(
    "renders the maps and the quicklooks with no console error, and is screenshotted",
    () =>
      Effect.gen(function* () {
        assert.isTrue(
          existsSync(executablePath),
          `${executablePath} is missing: install Debian's chromium (apt-get install chromium), as .ci/run does`
        )
        const dir = mkdtempSync(join(tmpdir(), "eoforge-report-browser-"))
        const store = join(dir, "fixture.zarr")
        yield* build({ samples: 24, shardSamples: 8, size: 32, shiftPx: 2, builtShards: 2 }).pipe(
          Effect.provide(Store.layerFileSystem(store))
        )
        const r = yield* Report.write(store)
        const shot = join(r.dir, "screenshot.png")
        const seen = yield* Effect.promise(async () => {
          const browser = await chromium.launch({
            executablePath,
            headless: true,
            args: ["--no-sandbox", "--disable-gpu"]
          })
          try {
            const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } })
            const problems: Array<string> = []
            const requests: Array<string> = []
            page.on("console", (m) => {
              if (m.type() === "error" || m.type() === "warning")
                problems.push(`${m.type()}: ${m.text()}`)
            })
            page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`))
            page.on("request", (q) => requests.push(q.url()))
            await page.goto(pathToFileURL(r.index).href, { waitUntil: "load" })
            const images = await page.$$eval("img", (imgs) =>
              imgs.map((i) => ({
                file: i.dataset.file ?? "",
                complete: i.complete,
                width: i.naturalWidth,
                shown: i.getBoundingClientRect().width
              }))
            )
            await page.screenshot({ path: shot, fullPage: true })
            return { problems, requests, images }
          } finally {
            await browser.close()
          }
        })
        assert.deepStrictEqual(seen.problems, [])
        // Only the page itself and its inline images are loaded: nothing from the network.
        assert.isTrue(
          seen.requests.every((u) => u.startsWith("file:") || u.startsWith("data:")),
          seen.requests.join(" ")
        )
        const byFile = (f: string) => seen.images.find((i) => i.file === f)
        for (const f of [
          "world-map.png",
          "overlap-before.png",
          "overlap-after.png",
          "quicklooks-train.png"
        ]) {
          const img = byFile(f)
          assert.isDefined(img, f)
          assert.isTrue(
            img!.complete && img!.width > 0 && img!.shown > 0,
            `${f}: ${JSON.stringify(img)}`
          )
        }
        const tiles = seen.images.filter((i) => i.file.startsWith("tile:"))
        assert.isAtLeast(tiles.length, 8)
        assert.isTrue(
          tiles.every((t) => (t.complete && t.width === 32) || t.width === 16),
          JSON.stringify(tiles.slice(0, 3))
        )
        const png = Canvas.fromPng(readFileSync(shot))
        assert.strictEqual(png.width, 1400)
        assert.isAbove(png.height, 1000)
        console.log(
          `report page screenshot: ${shot} (${png.width}×${png.height}, ${seen.images.length} images)`
        )
        if (process.env.EOFORGE_KEEP_REPORT === undefined)
          rmSync(dir, { recursive: true, force: true })
      }),
    // Chromium's start on a loaded CI machine takes tens of seconds.
    180_000
  )
})
