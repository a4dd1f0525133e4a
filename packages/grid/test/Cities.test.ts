import { assert, describe, it } from "@effect/vitest"
import { Cities } from "../src/index.ts"

describe("Cities", () => {
  it("skips the 307 rows without population and the repeated id", () => {
    const report = Cities.report()
    assert.strictEqual(report.withoutPopulation, 307)
    assert.strictEqual(report.duplicateIds, 1)
    assert.strictEqual(Cities.all().length, report.rows - 308)
    const ids = new Set(Cities.all().map((c) => c.id))
    assert.strictEqual(ids.size, Cities.all().length)
  })

  it("ranks by population with numeric values, the top 10,000 ending at 54,346 inhabitants", () => {
    const top = Cities.top(10000)
    assert.strictEqual(top.length, 10000)
    assert.strictEqual(top[0].name, "Tokyo")
    assert.strictEqual(typeof top[0].population, "number")
    assert.strictEqual(top[9999].population, 54346)
    assert.isBelow(Cities.all()[10000].population, 54346)
    for (let i = 1; i < top.length; i++) {
      const a = top[i - 1]
      const b = top[i]
      assert.isTrue(a.population > b.population || (a.population === b.population && a.id < b.id))
    }
  })

  it("holds finite WGS 84 coordinates for every city", () => {
    const bad = Cities.all().filter(
      (c) => !(Math.abs(c.lat) <= 90 && Math.abs(c.lon) <= 180 && c.population >= 0)
    )
    assert.deepStrictEqual(bad, [])
  })

  it("records the CC-BY-4.0 attribution of the SimpleMaps data", () => {
    assert.strictEqual(Cities.attribution.license, "CC-BY-4.0")
    assert.match(Cities.attribution.text, /SimpleMaps/)
    assert.match(Cities.attribution.url, /^https:\/\/simplemaps\.com/)
  })

  it("rejects a city count outside the list", () => {
    assert.throws(() => Cities.top(0), Cities.InvalidCityCountError)
    assert.throws(() => Cities.top(10_000_000), /between 1 and/)
  })
})
