import { assert, describe, it } from "@effect/vitest"
import fc from "fast-check"
import { ReferenceGrid } from "../src/index.ts"

const R = ReferenceGrid.EARTH_RADIUS_KM
const rad = Math.PI / 180

describe("ReferenceGrid", () => {
  it("puts every point inside the footprint of its cell", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(1, 10, 100, 333),
        fc.double({ min: -180, max: 180, noNaN: true }),
        fc.double({ min: -90, max: 90, noNaN: true }),
        (d, lon, lat) => {
          const g = ReferenceGrid.make(d)
          const cell = ReferenceGrid.cellOf(g, lon, lat)
          const b = ReferenceGrid.footprint(g, cell.id)
          const l = lon === 180 ? -180 : lon
          assert.isTrue(b.minX <= l && l <= b.maxX, `${lon} in ${JSON.stringify(b)}`)
          assert.isTrue(b.minY <= lat && lat <= b.maxY, `${lat} in ${JSON.stringify(b)}`)
          assert.deepStrictEqual(ReferenceGrid.footprint(g, cell), b)
        }
      ),
      { numRuns: 2000 }
    )
  })

  it("keeps cells about D km tall and at most D km wide, never narrower than D/2 off the polar rows", () => {
    const g = ReferenceGrid.make(10)
    for (let row = -g.rows; row < g.rows; row += 37) {
      const b = ReferenceGrid.footprint(g, { row, col: 0 })
      const edge = Math.min(Math.abs(b.minY), Math.abs(b.maxY))
      const far = Math.max(Math.abs(b.minY), Math.abs(b.maxY))
      const width = (b.maxX - b.minX) * rad * R
      assert.isAtMost(width * Math.cos(edge * rad), 10 + 1e-9)
      if (far < 89) {
        assert.isAbove(width * Math.cos(edge * rad), 9.5)
        assert.closeTo((b.maxY - b.minY) * rad * R, 10, 1e-9)
      }
    }
  })

  it("tiles the whole sphere: cell areas add up to the Earth's area and ids are unique", () => {
    const g = ReferenceGrid.make(200)
    let area = 0
    const ids = new Set<string>()
    for (const cell of ReferenceGrid.cells(g)) {
      const b = ReferenceGrid.footprint(g, cell)
      area += R * R * (b.maxX - b.minX) * rad * (Math.sin(b.maxY * rad) - Math.sin(b.minY * rad))
      ids.add(cell.id)
    }
    assert.closeTo(area / (4 * Math.PI * R * R), 1, 1e-12)
    let n = 0
    for (let row = -g.rows; row < g.rows; row++) n += ReferenceGrid.columns(g, row)
    assert.strictEqual(ids.size, n)
  })

  it("splits cells at the antimeridian and holds the poles in single rows", () => {
    const g = ReferenceGrid.make(10)
    const east = ReferenceGrid.cellOf(g, 179.9999, 10)
    const west = ReferenceGrid.cellOf(g, -179.9999, 10)
    assert.strictEqual(west.col, 0)
    assert.strictEqual(east.col, ReferenceGrid.columns(g, east.row) - 1)
    assert.strictEqual(ReferenceGrid.footprint(g, east).maxX, 180)
    assert.strictEqual(ReferenceGrid.cellOf(g, 180, 10).id, west.id)
    const north = ReferenceGrid.cellOf(g, 0, 90)
    assert.strictEqual(north.row, g.rows - 1)
    assert.strictEqual(ReferenceGrid.footprint(g, north).maxY, 90)
    assert.strictEqual(ReferenceGrid.cellOf(g, 0, -90).row, -g.rows)
  })

  it("gives the same id for the same point in every run and rejects unknown cells", () => {
    const g = ReferenceGrid.make(10)
    const a = ReferenceGrid.cellOf(g, 2.35, 48.85)
    assert.deepStrictEqual(ReferenceGrid.cellOf(ReferenceGrid.make(10), 2.35, 48.85), a)
    assert.match(a.id, /^r\d+c\d+$/)
    assert.strictEqual(ReferenceGrid.cellOf(g, 0, -0.001).row, -1)
    assert.throws(() => ReferenceGrid.footprint(g, "r0c999999"), ReferenceGrid.UnknownCellError)
    assert.throws(() => ReferenceGrid.footprint(g, "x1"), /no cell x1/)
    assert.throws(() => ReferenceGrid.make(0), ReferenceGrid.InvalidCellSizeError)
  })
})
