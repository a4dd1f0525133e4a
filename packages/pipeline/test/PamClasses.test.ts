// Class names of a categorical file's attribute table (a GDAL PAM `.aux.xml` beside it) reach the store's band
// metadata (CF flag_values/flag_meanings on `data`, `classes` in the product group and Croissant) when the recipe
// names none; a recipe's own classes win.
import { afterAll, assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { cpSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { Build, Services } from "../src/index.ts"
import { tempDir } from "./tree.ts"

const demo = fileURLToPath(new URL("../../../fixtures/demo", import.meta.url))
const small = readFileSync(fileURLToPath(new URL("./fixtures/small.yaml", import.meta.url)), "utf8")
const aoi = fileURLToPath(new URL("../recipes/olinda-aoi.geojson", import.meta.url))
const tmp = tempDir("pam-classes")
afterAll(() => tmp.remove())

/** A thematic attribute table: value → name, in GDAL's PAM layout (Row0Min/BinSize, a Name-usage field). */
const pam = (names: ReadonlyArray<string>) => `<PAMDataset>
  <PAMRasterBand band="1">
    <GDALRasterAttributeTable Row0Min="0" BinSize="1" tableType="thematic">
      <FieldDefn index="0"><Name>Value</Name><Type>0</Type><Usage>5</Usage></FieldDefn>
      <FieldDefn index="1"><Name>Class</Name><Type>2</Type><Usage>2</Usage></FieldDefn>
${names.map((n, i) => `      <Row index="${i}"><F>${i}</F><F>${n}</F></Row>`).join("\n")}
    </GDALRasterAttributeTable>
  </PAMRasterBand>
</PAMDataset>
`

const names = ["", "Forest", "Shrubland", "Grassland", "Cropland", "Built up", "Water", "Wetland"]

const recipeWith = (dir: string, landcoverClasses?: string) => {
  const text = small
    .replace("../../recipes/olinda-aoi.geojson", aoi)
    .replace("../../../../fixtures/demo/stac/catalog.json", join(dir, "stac/catalog.json"))
    .replace("[../../../../fixtures/demo]", `[${dir}]`)
    .replace(
      "- { name: class, asset: data, index: 1, nodata: 0 }",
      `- { name: class, asset: data, index: 1, nodata: 0${landcoverClasses ?? ""} }`
    )
  const file = join(dir, landcoverClasses === undefined ? "r.yaml" : "r2.yaml")
  writeFileSync(file, text)
  return file
}

const build = (recipe: string, out: string) =>
  Effect.runPromise(
    Build.build({ recipe, out, createdAt: "2024-05-06T07:08:09.000Z" }).pipe(
      Effect.provide(Services.layer)
    )
  )

const json = (path: string): any => JSON.parse(readFileSync(path, "utf8"))

describe("class names from a PAM attribute table", () => {
  const dir = join(tmp.path, "demo")
  cpSync(demo, dir, { recursive: true })
  writeFileSync(join(dir, "data/landcover/landcover-olinda.tif.aux.xml"), pam(names))

  it("reach the data array, the product group and Croissant when the recipe names none", async () => {
    const out = join(tmp.path, "a.zarr")
    await build(recipeWith(dir), out)
    const data = json(join(out, "landcover/data/zarr.json")).attributes
    assert.isArray(data.flag_values)
    assert.isAbove(data.flag_values.length, 0)
    // Every value the store declares is a class of the table, named as the table names it.
    data.flag_values.forEach((v: number, i: number) => {
      assert.strictEqual(data.flag_meanings.split(" ")[i], names[v].replace(/\s+/g, "_"))
    })
    assert.include(data.flag_meanings, "Built_up")
    const group = json(join(out, "landcover/zarr.json")).attributes
    const band = group.band_specs.find((b: { name: string }) => b.name === "class")
    assert.strictEqual(band.classes["5"], "Built up")
    // A band of another product, without a table, gets none.
    assert.isUndefined(json(join(out, "dem/data/zarr.json")).attributes.flag_values)
    assert.include(readFileSync(join(out, "croissant.json"), "utf8"), "Built up")
  })

  it("leave classes the recipe gives alone", async () => {
    const out = join(tmp.path, "b.zarr")
    await build(recipeWith(dir, ', classes: { "1": Trees, "5": Urban }'), out)
    const data = json(join(out, "landcover/data/zarr.json")).attributes
    assert.deepStrictEqual(data.flag_values, [1, 5])
    assert.strictEqual(data.flag_meanings, "Trees Urban")
  })
})
