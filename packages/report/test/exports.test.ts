// The public surface of @eoforge/report: changes to it are deliberate.
import { describe, expect, it } from "@effect/vitest"
import * as ReportPackage from "../src/index.ts"

describe("@eoforge/report exports", () => {
  it("exposes its modules with their members", () => {
    const surface = Object.fromEntries(
      Object.entries(ReportPackage).map(([name, mod]) => [name, Object.keys(mod).sort()])
    )
    expect(surface).toMatchInlineSnapshot(`
      {
        "Alignment": [
          "measureSample",
          "minPeak",
          "outlierPx",
          "pairs",
          "summarise",
        ],
        "Canvas": [
          "blit",
          "disc",
          "fillRect",
          "fromPng",
          "line",
          "make",
          "plot",
          "polygon",
          "toPng",
        ],
        "Charts": [
          "availability",
          "countReasons",
          "histogram",
          "histogramFigure",
          "reasonColours",
        ],
        "Coastlines": [
          "land110m",
        ],
        "Collect": [
          "columns",
          "ids",
          "patchSizeM",
          "products",
          "readChips",
          "rejected",
          "rejectedKey",
          "slotNames",
        ],
        "Html": [
          "alignmentRows",
          "escape",
          "page",
        ],
        "Maps": [
          "densest",
          "rejectedColour",
          "splitColours",
          "world",
          "zoom",
        ],
        "PhaseCorrelation": [
          "classEdges",
          "edges",
          "measure",
        ],
        "Quicklook": [
          "chipRange",
          "kindOf",
          "nodataColour",
          "palette",
          "render",
        ],
        "Report": [
          "make",
          "write",
        ],
        "ReportError": [
          "ReportReadError",
          "ReportWriteError",
        ],
        "Sections": [
          "BandValues",
          "all",
          "valuesPerChip",
        ],
      }
    `)
  })
})
