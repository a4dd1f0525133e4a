import { assert, describe, it } from "@effect/vitest"
import { Search, Selection, type StacItem } from "../src/index.ts"

const item = (
  id: string,
  props: Record<string, unknown>,
  ring: Array<[number, number]>
): StacItem.Item => ({
  type: "Feature",
  id,
  geometry: { type: "Polygon", coordinates: [ring] },
  properties: props,
  assets: {}
})
const square = (w: number, s: number, e: number, n: number): Array<[number, number]> => [
  [w, s],
  [e, s],
  [e, n],
  [w, n],
  [w, s]
]
const quad = (lon: number, lat: number, h: number) => ({
  footprint: [
    [lon - h, lat + h],
    [lon + h, lat + h],
    [lon + h, lat - h],
    [lon - h, lat - h]
  ] as const
})

describe("Selection", () => {
  it("a footprint contains a patch only when all of it is inside, holes and concavities included", () => {
    const p = quad(0.5, 0.5, 0.1)
    assert.isTrue(Selection.coversPatch(item("a", {}, square(0, 0, 1, 1)), p))
    assert.isFalse(Selection.coversPatch(item("b", {}, square(0.45, 0, 1, 1)), p))
    // A notch cut between the corners: every corner inside, an edge crosses out.
    const notch: Array<[number, number]> = [
      [0, 0],
      [1, 0],
      [1, 1],
      [0.5, 0.45],
      [0, 1],
      [0, 0]
    ]
    assert.isFalse(Selection.coversPatch(item("c", {}, notch), quad(0.5, 0.5, 0.2)))
    const holed: StacItem.Item = {
      ...item("d", {}, square(0, 0, 1, 1)),
      geometry: {
        type: "Polygon",
        coordinates: [square(0, 0, 1, 1), square(0.48, 0.48, 0.52, 0.52)]
      }
    }
    assert.isFalse(Selection.coversPatch(holed, p))
  })

  it("containment works for footprints across the antimeridian", () => {
    const it1 = item("am", {}, [
      [179, -1],
      [181, -1],
      [181, 1],
      [179, 1],
      [179, -1]
    ])
    assert.isTrue(Selection.coversPatch(it1, quad(-179.9, 0, 0.05)))
    assert.isTrue(Selection.coversPatch(it1, quad(179.9, 0, 0.05)))
  })

  it("a global footprint (−180..180 box) covers patches anywhere, across ±180° and near the poles", () => {
    const global = item("g", {}, square(-180, -90, 180, 90))
    for (const [lon, lat] of [
      [0, 0],
      [179.99, 10],
      [-179.99, -30],
      [180, 60],
      [45, 85],
      [-120, -85]
    ])
      assert.isTrue(Selection.coversPatch(global, quad(lon, lat, 0.05)), `${lon}, ${lat}`)
    const chosen = Selection.choose([global], quad(180, 0, 0.05), {
      rule: "least-cloudy",
      referenceMs: 0,
      allowMosaic: false
    })
    assert.strictEqual(chosen?.items[0]?.id, "g")
  })

  it("an RFC 7946 footprint split at the antimeridian covers a patch straddling it, not one beyond it", () => {
    const split: StacItem.Item = {
      ...item("s", {}, []),
      geometry: {
        type: "MultiPolygon",
        coordinates: [[square(170, -10, 180, 10)], [square(-180, -10, -170, 10)]]
      }
    }
    assert.isTrue(Selection.coversPatch(split, quad(180, 0, 0.1)))
    assert.isTrue(Selection.coversPatch(split, quad(-179.95, 5, 0.1)))
    assert.isTrue(Selection.coversPatch(split, quad(175, -5, 0.1)))
    assert.isFalse(Selection.coversPatch(split, quad(-170, 0, 0.1)))
    assert.isFalse(Selection.coversPatch(split, quad(180, 10, 0.1)))
  })

  it("a footprint drawn across the antimeridian with a jump (170 → −170) is the short way round", () => {
    const jumpy = item("j", {}, [
      [170, -1],
      [-170, -1],
      [-170, 1],
      [170, 1],
      [170, -1]
    ])
    assert.isTrue(Selection.coversPatch(jumpy, quad(179.9, 0, 0.05)))
    assert.isTrue(Selection.coversPatch(jumpy, quad(-175, 0, 0.05)))
    assert.isFalse(Selection.coversPatch(jumpy, quad(0, 0, 0.05)))
    assert.isFalse(Selection.coversPatch(jumpy, quad(-160, 0, 0.05)))
  })

  it("ranks by cloud, closeness or recency with a total deterministic order", () => {
    const ref = Date.UTC(2021, 5, 21)
    const xs = [
      item("x", { datetime: "2021-06-10T00:00:00Z", "eo:cloud_cover": 1 }, square(0, 0, 1, 1)),
      item("y", { datetime: "2021-06-22T00:00:00Z", "eo:cloud_cover": 5 }, square(0, 0, 1, 1)),
      item("z", { datetime: "2021-07-01T00:00:00Z", "eo:cloud_cover": 1 }, square(0, 0, 1, 1))
    ]
    assert.deepStrictEqual(
      Selection.rank(xs, "least-cloudy", ref).map((i) => i.id),
      ["z", "x", "y"]
    )
    assert.deepStrictEqual(
      Selection.rank(xs, "closest", ref).map((i) => i.id),
      ["y", "z", "x"]
    )
    assert.deepStrictEqual(
      Selection.rank(xs, "most-recent", ref).map((i) => i.id),
      ["z", "y", "x"]
    )
    assert.deepStrictEqual(
      Selection.rank([...xs].reverse(), "least-cloudy", ref).map((i) => i.id),
      ["z", "x", "y"]
    )
  })

  it("prefers a covering item over a better-ranked partial one", () => {
    const p = quad(0.5, 0.5, 0.1)
    const partial = item(
      "partial",
      { datetime: "2021-06-21T00:00:00Z", "eo:cloud_cover": 0 },
      square(0.55, 0, 1, 1)
    )
    const whole = item(
      "whole",
      { datetime: "2021-06-22T00:00:00Z", "eo:cloud_cover": 9 },
      square(0, 0, 1, 1)
    )
    const c = Selection.choose([partial, whole], p, {
      rule: "least-cloudy",
      referenceMs: 0,
      allowMosaic: true
    })!
    assert.deepStrictEqual(
      c.items.map((i) => i.id),
      ["whole"]
    )
    assert.isFalse(c.mosaic)
  })

  it("builds a same-day mosaic and reports partial coverage when the day cannot cover the patch", () => {
    const p = quad(0.5, 0.5, 0.1)
    const w = item(
      "w",
      { datetime: "2021-06-21T10:00:00Z", "eo:cloud_cover": 1 },
      square(0, 0, 0.5, 1)
    )
    const e = item(
      "e",
      { datetime: "2021-06-21T10:00:05Z", "eo:cloud_cover": 2 },
      square(0.5, 0, 1, 1)
    )
    const other = item(
      "o",
      { datetime: "2021-06-25T10:00:00Z", "eo:cloud_cover": 0 },
      square(0.5, 0, 1, 1)
    )
    const full = Selection.choose([w, e, other], p, {
      rule: "least-cloudy",
      referenceMs: 0,
      allowMosaic: true
    })!
    assert.deepStrictEqual(full.items.map((i) => i.id).sort(), ["e", "w"])
    assert.strictEqual(full.coverage, 1)
    const half = Selection.choose([w, other], p, {
      rule: "least-cloudy",
      referenceMs: 0,
      allowMosaic: true
    })!
    assert.strictEqual(half.items.length, 1)
    assert.strictEqual(half.coverage, 0.5)
    assert.isUndefined(
      Selection.choose([w, e], p, { rule: "least-cloudy", referenceMs: 0, allowMosaic: false })
    )
  })

  it("derives one datatake key for L1C and L2A from datatake ids or product ids", () => {
    const a = item(
      "S2A_32TQM_20210621_0_L2A",
      { "s2:datatake_id": "GS2A_20210621T101031_031311_N03.00" },
      []
    )
    const b = item("x", { "s2:datatake_id": "GS2A_20210621T101031_031311_N02.09" }, [])
    const c = item("S2A_MSIL1C_20210621T101031_N0300_R022_T32TQM_20210621T122045", {}, [])
    const d = item(
      "y",
      { "s2:product_uri": "S2B_MSIL2A_20210621T101031_N0300_R022_T32TQM_20210621T125538.SAFE" },
      []
    )
    assert.strictEqual(Selection.datatakeKey(a), "S2A_20210621T101031")
    assert.strictEqual(Selection.datatakeKey(b), Selection.datatakeKey(a))
    assert.strictEqual(Selection.datatakeKey(c), Selection.datatakeKey(a))
    assert.strictEqual(Selection.datatakeKey(d), "S2B_20210621T101031")
    assert.deepStrictEqual(
      Selection.sameDatatake([b, c, d], a).map((i) => i.id),
      ["x", c.id]
    )
  })
})

describe("static catalogue search across the antimeridian", () => {
  const base = { collections: ["c"] }
  const withBBox = (bbox: Array<number>): StacItem.Item => ({
    ...item("b", {}, square(0, 0, 1, 1)),
    bbox
  })
  it("an item bbox crossing ±180° (west > east) intersects patches on either side and not elsewhere", () => {
    const crossing = withBBox([170, -10, -170, 10])
    assert.isTrue(Search.matches(crossing, "c", { ...base, bbox: [175, 0, 176, 1] }))
    assert.isTrue(Search.matches(crossing, "c", { ...base, bbox: [-179, 0, -178, 1] }))
    assert.isFalse(Search.matches(crossing, "c", { ...base, bbox: [0, 0, 1, 1] }))
    assert.isFalse(Search.matches(crossing, "c", { ...base, bbox: [175, 20, 176, 21] }))
  })
  it("a global bbox intersects every patch", () => {
    const global = withBBox([-180, -90, 180, 90])
    assert.isTrue(Search.matches(global, "c", { ...base, bbox: [179.9, 84, 180.1, 86] }))
    assert.isTrue(Search.matches(global, "c", { ...base, bbox: [-10, -5, 10, 5] }))
  })
})
