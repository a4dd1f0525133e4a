import { assert, describe, it } from "@effect/vitest"
import { DatePattern } from "../src/index.ts"

describe("DatePattern", () => {
  it("reads dates from token patterns anywhere in the base name", () => {
    const p = DatePattern.fromPattern("{yyyy}{mm}{dd}")
    assert.strictEqual(p.instantOf("/data/2020/labels_20210614_v2.tif"), Date.UTC(2021, 5, 14))
    assert.strictEqual(p.instantOf("labels.tif"), undefined)
    const t = DatePattern.fromPattern("S2_{yyyy}-{mm}-{dd}T{hh}{mi}{ss}")
    assert.strictEqual(t.instantOf("x/S2_2021-06-14T103021.tif"), Date.UTC(2021, 5, 14, 10, 30, 21))
    const doy = DatePattern.fromPattern("A{yyyy}{doy}")
    assert.strictEqual(doy.instantOf("MOD44B.A2020065.h18v04.hdf"), Date.UTC(2020, 2, 5))
    const yy = DatePattern.fromPattern("{yy}{mm}{dd}*.tif")
    assert.strictEqual(yy.instantOf("990101_x.tif"), Date.UTC(1999, 0, 1))
    assert.strictEqual(yy.instantOf("210101_x.tif"), Date.UTC(2021, 0, 1))
  })

  it("a name stating an impossible date states none", () => {
    const p = DatePattern.fromPattern("{yyyy}{mm}{dd}")
    assert.strictEqual(p.instantOf("x_20210431.tif"), undefined)
    assert.strictEqual(p.instantOf("x_20211301.tif"), undefined)
    assert.strictEqual(DatePattern.fromPattern("{yyyy}{doy}").instantOf("2021366"), undefined)
    assert.strictEqual(
      DatePattern.fromPattern("{yyyy}{doy}").instantOf("2020366"),
      Date.UTC(2020, 11, 31)
    )
  })

  it("reads named groups of a regular expression", () => {
    const r = DatePattern.fromRegex("_(?<day>\\d{2})\\.(?<month>\\d{2})\\.(?<year>\\d{4})")
    assert.strictEqual(r.instantOf("mask_05.07.2021.tif"), Date.UTC(2021, 6, 5))
  })

  it("refuses patterns that cannot give a date, saying what is missing", () => {
    assert.throws(() => DatePattern.fromPattern("{yyyy}{mm}"), /\{mm\} and \{dd\}, or \{doy\}/)
    assert.throws(() => DatePattern.fromPattern("{mm}{dd}"), /\{yyyy\} or \{yy\}/)
    assert.throws(() => DatePattern.fromPattern("{yyyy}{month}{dd}"), /not a date token/)
    assert.throws(() => DatePattern.fromRegex("(?<year>\\d{4})"), /\(\?<month>/)
    assert.throws(() => DatePattern.fromRegex("(?<year>[0-9"), /invalid/)
  })
})
