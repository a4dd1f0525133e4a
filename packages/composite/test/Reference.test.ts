// Composites against numpy (tools/composite-ref/reference.py) on the generated stacks with clouds of
// fixtures/composite: integers to the last bit, floats within 1e-6 relative, NaN where numpy has NaN.
import { assert, describe, it } from "@effect/vitest"
import { DType } from "@eoforge/core"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { Median, Rule, Running } from "../src/index.ts"

const dir = join(import.meta.dirname, "../../../fixtures/composite")

interface Variant {
  readonly name: string
  readonly dtype: DType.DType
  readonly k: number
  readonly bands: number
  readonly height: number
  readonly width: number
}

const manifest = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as {
  readonly variants: ReadonlyArray<Variant>
}

const typed = (dtype: DType.DType, file: string): DType.TypedArray => {
  const bytes = readFileSync(join(dir, file))
  const out = DType.alloc(dtype, bytes.length / DType.byteSize(dtype))
  new Uint8Array(out.buffer).set(bytes)
  return out
}

const load = (v: Variant) => {
  const pixels = v.height * v.width
  const stack = typed(v.dtype, `${v.name}.stack.bin`)
  const mask = typed("uint8", `${v.name}.mask.bin`) as Uint8Array
  const n = v.bands * pixels
  const layers = Array.from({ length: v.k }, (_, a) => ({
    data: stack.subarray(a * n, (a + 1) * n),
    mask: mask.subarray(a * pixels, (a + 1) * pixels)
  }))
  return { pixels, layers }
}

const compare = (v: Variant, rule: string, got: DType.TypedArray, want: DType.TypedArray) => {
  assert.strictEqual(got.length, want.length)
  let worst = 0
  for (let i = 0; i < got.length; i++) {
    const [g, w] = [got[i], want[i]]
    if (Number.isNaN(w)) {
      assert.isTrue(Number.isNaN(g), `${v.name} ${rule} [${i}]: ${g}, numpy NaN`)
      continue
    }
    if (!DType.isFloat(v.dtype)) {
      if (g !== w) assert.fail(`${v.name} ${rule} [${i}]: ${g}, numpy ${w}`)
      continue
    }
    const rel = Math.abs(g - w) / Math.max(Math.abs(w), 1e-30)
    if (rel > worst) worst = rel
  }
  assert.isAtMost(worst, 1e-6, `${v.name} ${rule}: largest relative error`)
}

describe("composites equal numpy's nan* functions", () => {
  it("covers integer and float dtypes, odd and even counts and pixels with no valid value", () => {
    const dtypes = new Set(manifest.variants.map((v) => v.dtype))
    assert.deepStrictEqual([...dtypes].sort(), ["float32", "int16", "uint16", "uint8"])
    assert.isTrue(manifest.variants.some((v) => v.k % 2 === 0 && v.k > 1))
    assert.isTrue(manifest.variants.some((v) => v.k % 2 === 1 && v.k > 1))
    for (const v of manifest.variants) {
      const { pixels, layers } = load(v)
      const count = typed("uint16", `${v.name}.count.bin`)
      assert.isTrue(count.includes(0), `${v.name} has pixels without any valid acquisition`)
      assert.strictEqual(layers.length, v.k)
      void pixels
    }
  })

  for (const v of manifest.variants) {
    for (const rule of Rule.rules) {
      it(`${rule} of ${v.name} (${v.dtype}, ${v.k} acquisitions)`, () => {
        const { pixels, layers } = load(v)
        const want = typed(v.dtype, `${v.name}.${rule}.bin`)
        const result =
          rule === "median"
            ? Median.ofStack(layers, v.dtype, v.bands, pixels)
            : (() => {
                const r = Running.make(rule, v.dtype, v.bands, pixels)
                for (const l of layers) Running.add(r, l.data, l.mask)
                return Running.finish(r)
              })()
        compare(v, rule, result.data, want)
        assert.deepStrictEqual(
          Array.from(result.count),
          Array.from(typed("uint16", `${v.name}.count.bin`))
        )
      })
    }
  }

  it("computes the same medians strip by strip as over the whole chip", () => {
    for (const v of manifest.variants) {
      const { pixels, layers } = load(v)
      const whole = Median.ofStack(layers, v.dtype, v.bands, pixels)
      const out = DType.alloc(v.dtype, v.bands * pixels)
      const filled = new Uint8Array(v.bands * pixels)
      const s = Median.scratch(v.k)
      const rows = 7
      for (let b = 0; b < v.bands; b++) {
        for (let y = 0; y < v.height; y += rows) {
          const h = Math.min(rows, v.height - y)
          const at = y * v.width
          // Each acquisition's strip as a separate small array, as the spill reader hands them over.
          const values = layers.map((l) =>
            l.data.slice(b * pixels + at, b * pixels + at + h * v.width)
          )
          const masks = layers.map((l) => l.mask.slice(at, at + h * v.width))
          Median.strip(values, masks, 0, h * v.width, out, filled, b * pixels + at, NaN, s)
        }
      }
      for (let i = 0; i < out.length; i++) {
        if (whole.filled[i] === 1) assert.strictEqual(out[i], whole.data[i], `${v.name} [${i}]`)
      }
      assert.deepStrictEqual(Array.from(filled), Array.from(whole.filled), v.name)
    }
  })
})
