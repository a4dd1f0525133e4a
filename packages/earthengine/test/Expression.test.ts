// The expression graph: serialised as Earth Engine's ValueNode JSON, shared subtrees once, parsed back with
// its references checked; the operations compile to the algorithms the Earth Engine client libraries use.
import { assert, describe, it } from "@effect/vitest"
import { Crs, PixelGrid } from "@eoforge/core"
import { Expression, Operations, Presets } from "../src/index.ts"

const { call, constant } = Expression

describe("Expression", () => {
  it("serialises calls as named values and references, and parses back to the same tree", () => {
    const load = call("ImageCollection.load", { id: constant("COPERNICUS/S2_SR_HARMONIZED") })
    const tree = call("Image.addBands", {
      dstImg: call("Collection.first", { collection: load }),
      srcImg: call("reduce.median", { collection: load })
    })
    const e = Expression.serialise(tree)
    // load is shared: four calls, four values.
    assert.strictEqual(Object.keys(e.values).length, 4)
    assert.deepStrictEqual(e.values[e.result], {
      functionInvocationValue: {
        functionName: "Image.addBands",
        arguments: { dstImg: { valueReference: "1" }, srcImg: { valueReference: "2" } }
      }
    })
    assert.deepStrictEqual(e.values["0"], {
      functionInvocationValue: {
        functionName: "ImageCollection.load",
        arguments: { id: { constantValue: "COPERNICUS/S2_SR_HARMONIZED" } }
      }
    })
    assert.deepStrictEqual(Expression.parse(JSON.parse(JSON.stringify(e))), tree)
  })

  it("function definitions keep their body as a value name and argument references inside it", () => {
    const tree = call("Collection.map", {
      collection: call("ImageCollection.load", { id: constant("X") }),
      baseAlgorithm: Expression.fn(["v"], call("Image.select", { input: Expression.arg("v") }))
    })
    const e = Expression.serialise(tree)
    const defs = Object.values(e.values).filter((v) => "functionDefinitionValue" in v)
    assert.strictEqual(defs.length, 1)
    assert.deepStrictEqual(Expression.parse(e), tree)
  })

  it("parse refuses dangling references, cycles and argument references outside a function", () => {
    const bad: ReadonlyArray<unknown> = [
      { result: "0", values: { "0": { valueReference: "9" } } },
      { result: "0", values: { "0": { valueReference: "1" }, "1": { valueReference: "0" } } },
      { result: "0", values: { "0": { argumentReference: "x" } } },
      { result: "0", values: { "0": { constantValue: 1, valueReference: "0" } } },
      { result: 0, values: {} }
    ]
    for (const b of bad) assert.throws(() => Expression.parse(b), Expression.ExpressionError)
  })

  it("the same operations give the same bytes; another window gives other bytes", () => {
    const grid = PixelGrid.make(Crs.epsg(32633), 500_000, 5_000_000, 10, 264, 264)
    const preset = Presets.sentinel2L2A({ maskScl: [3, 8, 9, 10] }).source
    const compile = (start: number) =>
      JSON.stringify(
        Expression.serialise(
          Operations.compile(
            preset.asset,
            preset.operations,
            preset.bands,
            preset.dtype,
            { start, end: start + 86_400_000 * 30 - 1 },
            grid
          ).image
        )
      )
    const a = compile(Date.UTC(2021, 5, 1))
    assert.strictEqual(a, compile(Date.UTC(2021, 5, 1)))
    assert.notStrictEqual(a, compile(Date.UTC(2020, 5, 1)))
    const names = Expression.functionNames(Expression.parse(JSON.parse(a)))
    for (const f of [
      "ImageCollection.load",
      "Collection.filter",
      "Filter.dateRangeContains",
      "Filter.intersects",
      "Filter.lessThan",
      "Collection.map",
      "Image.updateMask",
      "Image.remap",
      "Collection.limit",
      "Collection.first",
      "Image.select",
      "Image.toUint16"
    ])
      assert.include(names, f)
    // The window's end is inclusive in EOForge and exclusive in Earth Engine's DateRange.
    assert.include(a, `"constantValue":${Date.UTC(2021, 5, 1) + 86_400_000 * 30}`)
  })

  it("operations after the reduction that need a collection are refused", () => {
    const grid = PixelGrid.make(Crs.epsg(32633), 0, 0, 10, 4, 4)
    assert.throws(
      () =>
        Operations.compile(
          { collection: "X" },
          [{ op: "median" }, { op: "filterDate" }],
          ["B1"],
          "uint16",
          { start: 0, end: 1 },
          grid
        ),
      Operations.OperationsError
    )
    assert.throws(
      () =>
        Operations.compile(
          { image: "X" },
          [{ op: "first" }],
          ["B1"],
          "uint16",
          { start: 0, end: 1 },
          grid
        ),
      Operations.OperationsError
    )
  })
})
