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
      assert.include(card, `**${s.name}** (${s.license ?? "licence not stated"}): ${s.attribution}`)
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

describe("Card for categorical bands, missing slots, citations and licences", () => {
  it("leaves bands with classes out of the normalisation table and shows their class table instead", () => {
    const d = description()
    const card = Card.make(d)
    const stats = card.slice(card.indexOf("## Statistics (train split)"))
    const map = d.statistics.find((s) => s.band === "Map" && s.split === "train")!
    const normalisation = stats.slice(0, stats.indexOf("### Categorical bands"))
    assert.include(normalisation, "(x − mean) / std")
    assert.notInclude(normalisation, "| worldcover | Map |")
    assert.include(normalisation, "| s1grd | VV |")
    const categorical = stats.slice(stats.indexOf("### Categorical bands"))
    assert.include(categorical, "categorical")
    assert.include(categorical, "| value | name |")
    assert.include(categorical, "| 10 | Tree cover |")
    assert.include(categorical, "| 80 | Permanent water bodies |")
    assert.include(categorical, `| worldcover | Map | ${map.count} | ${map.min} | ${map.max} |`)
    assert.notInclude(categorical, String(map.std))
  })

  it("says no band is categorical when none declares classes", () => {
    const d = description()
    const products = d.products.map((p) => ({
      ...p,
      bands: p.bands.map(({ classes: _classes, ...b }) => b)
    }))
    const card = Card.make({ ...d, products })
    assert.notInclude(card, "### Categorical bands")
    assert.include(card, "| worldcover | Map | 30 |")
  })

  it("shows — for time slots a product does not have and counts for those it has", () => {
    const card = Card.make(description())
    assert.include(card, "| worldcover | 5 | — |")
    assert.include(card, "| s1grd | 5 | 4 |")
  })

  it("shows 0 for a slot the product has but where no sample holds data", () => {
    const d = description()
    const availability = d.availability.map((a) =>
      a.product === "s2l2a" && a.slot === "summer" && a.reason === "Ok"
        ? { ...a, reason: "TooCloudy" as const }
        : a
    )
    assert.include(Card.make({ ...d, availability }), "| s2l2a | 4 | 0 |")
  })

  it("fences the citation as BibTeX only when it is BibTeX", () => {
    const d = description()
    assert.include(Card.make(d), "```bibtex\n@misc{eoforge_fixture")
    const plain = Card.make({ ...d, citeAs: "EOForge fixture dataset 1.0.0 (2026)" })
    assert.notInclude(plain, "```bibtex")
    assert.include(plain, "## Citation\n\n```text\nEOForge fixture dataset 1.0.0 (2026)\n```")
  })

  it("states the EPSG array once when a product's CRS note already names it", () => {
    const d = description()
    const note =
      "per-patch UTM/UPS (EPSG code in samples/epsg, grid origin in samples/x0, samples/y0)"
    const card = Card.make({ ...d, products: d.products.map((p) => ({ ...p, crs: note })) })
    const composition = card.slice(
      card.indexOf("## Composition"),
      card.indexOf("### Samples per split")
    )
    assert.strictEqual(composition.split("samples/epsg").length - 1, 1)
    assert.include(composition, note)
    assert.include(composition, "WGS 84")
    const fixture = Card.make(d)
    const plain = fixture.slice(
      fixture.indexOf("## Composition"),
      fixture.indexOf("### Samples per split")
    )
    assert.strictEqual(plain.split("samples/epsg").length - 1, 1)
  })

  it("lists a source without a licence as licence not stated", () => {
    const d = description()
    const card = Card.make(d)
    const unstated = d.sources.filter((s) => s.license === undefined)
    assert.isAbove(unstated.length, 0)
    for (const s of unstated) {
      assert.include(card, `**${s.name}** (licence not stated): ${s.attribution}`)
      assert.include(card, `| [${s.name}](${s.url}) | licence not stated |`)
    }
  })
})
