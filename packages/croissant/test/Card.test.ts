import { assert, describe, it } from "@effect/vitest"
import { expect } from "vitest"
import { Card } from "../src/index.ts"
import { description } from "./fixture.ts"

describe("Card", () => {
  it("the card of the fixture store matches its golden file", async () => {
    await expect(Card.make(description())).toMatchFileSnapshot("golden/README.md")
  })

  it("opens with Hugging Face front matter naming licence, tasks, tags, size and pretty name", () => {
    const card = Card.make(description())
    const front = card.split("\n---\n")[0]
    assert.isTrue(card.startsWith("---\n"))
    assert.include(front, "license: cc-by-4.0")
    assert.include(front, 'task_categories:\n- "image-feature-extraction"')
    assert.include(front, 'size_categories:\n- "n<1K"')
    assert.include(front, 'pretty_name: "EOForge fixture dataset"')
    assert.include(front, '- "earth-observation"')
  })

  it("answers the datasheet questions the build can answer", () => {
    const card = Card.make(description())
    for (const heading of [
      "## Composition",
      "### Missing data by reason code",
      "## Collection process",
      "## Preprocessing",
      "## Uses",
      "## Statistics (train split)",
      "## Licences and attribution"
    ]) {
      assert.include(card, heading)
    }
    assert.include(card, "| s1grd | summer | NoItemInWindow | 2 | 1 |")
    assert.include(card, "| s2l2a | 10 |")
    assert.include(card, "seed 42")
    assert.include(card, "| worldcover | Map | 10 | mode |")
  })

  it("shows train-split mean, std, min, max, p1 and p99 per band", () => {
    const d = description()
    const card = Card.make(d)
    const vv = d.statistics.find((s) => s.band === "VV" && s.split === "train")!
    const p = (q: number) => vv.percentiles.find((x) => x.percent === q)!.value
    assert.include(
      card,
      `| s1grd | VV | ${vv.mean} | ${vv.std} | ${vv.min} | ${vv.max} | ${p(1)} | ${p(99)} |`
    )
    const val = d.statistics.find((s) => s.band === "VV" && s.split === "val")!
    assert.notInclude(card, `| s1grd | VV | ${val.mean} |`)
  })

  it("quotes every source's attribution", () => {
    const d = description()
    const card = Card.make(d)
    for (const s of d.sources)
      assert.include(card, `**${s.name}** (${s.license}): ${s.attribution}`)
  })

  it("maps sample counts to Hugging Face size categories at the bucket edges", () => {
    assert.strictEqual(Card.sizeCategory(999), "n<1K")
    assert.strictEqual(Card.sizeCategory(1000), "1K<n<10K")
    assert.strictEqual(Card.sizeCategory(251_079), "100K<n<1M")
    assert.strictEqual(Card.hfLicense("CC-BY-4.0"), "cc-by-4.0")
    assert.strictEqual(Card.hfLicense("https://example.org/licence"), "other")
  })

  it("escapes pipes in table cells so a band description cannot break a table", () => {
    const d = description()
    const products = d.products.map((p, i) =>
      i === 0
        ? {
            ...p,
            bands: p.bands.map((b, j) => (j === 0 ? { ...b, description: "Blue | coastal" } : b))
          }
        : p
    )
    assert.include(Card.make({ ...d, products }), "| B02 | Blue \\| coastal |")
  })
})
