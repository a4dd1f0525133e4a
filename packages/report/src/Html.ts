// The report page: one self-contained HTML file (figures inlined as PNG data URIs, inline CSS, no
// script, nothing fetched) from the figures and tables a report gathered.
import type * as Alignment from "./Alignment.ts"

/** A figure: its PNG file name in the report folder and its bytes. */
export interface Figure {
  readonly file: string
  readonly png: Uint8Array
  readonly alt: string
}

/** A table: header and rows of cells (text, escaped on output). */
export interface Table {
  readonly head: ReadonlyArray<string>
  readonly rows: ReadonlyArray<ReadonlyArray<string | number>>
}

/** One block of the page. */
export type Block =
  | { readonly kind: "text"; readonly text: string }
  | {
      readonly kind: "figure"
      readonly figure: Figure
      readonly caption?: string
      readonly width?: number
    }
  | { readonly kind: "table"; readonly table: Table }
  | {
      readonly kind: "legend"
      readonly items: ReadonlyArray<readonly [string, readonly [number, number, number]]>
    }
  | {
      readonly kind: "grid"
      readonly title: string
      readonly columns: ReadonlyArray<string>
      readonly rows: ReadonlyArray<{
        readonly label: string
        readonly cells: ReadonlyArray<{ readonly figure?: Figure; readonly note: string }>
      }>
    }

/** A section: heading and blocks. */
export interface Section {
  readonly id: string
  readonly title: string
  readonly blocks: ReadonlyArray<Block>
}

/** Escape text for HTML. */
export const escape = (s: string | number): string =>
  String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

const dataUri = (f: Figure) => `data:image/png;base64,${Buffer.from(f.png).toString("base64")}`

const img = (f: Figure, width?: number) =>
  `<img src="${dataUri(f)}" alt="${escape(f.alt)}" data-file="${escape(f.file)}"${width === undefined ? "" : ` width="${width}"`}>`

const format = (v: string | number) =>
  typeof v === "number"
    ? Number.isInteger(v)
      ? String(v)
      : Number.isFinite(v)
        ? v.toPrecision(5)
        : "—"
    : v

const block = (b: Block): string => {
  switch (b.kind) {
    case "text":
      return `<p>${escape(b.text)}</p>`
    case "figure":
      return `<figure>${img(b.figure, b.width)}${b.caption === undefined ? "" : `<figcaption>${escape(b.caption)} <span class="file">(${escape(b.figure.file)})</span></figcaption>`}</figure>`
    case "table":
      return `<table><thead><tr>${b.table.head.map((h) => `<th>${escape(h)}</th>`).join("")}</tr></thead><tbody>${b.table.rows
        .map((r) => `<tr>${r.map((c) => `<td>${escape(format(c))}</td>`).join("")}</tr>`)
        .join("")}</tbody></table>`
    case "legend":
      return `<p class="legend">${b.items
        .map(
          ([name, [r, g, bl]]) =>
            `<span><i style="background:rgb(${r},${g},${bl})"></i>${escape(name)}</span>`
        )
        .join(" ")}</p>`
    case "grid":
      return `<table class="grid"><caption>${escape(b.title)}</caption><thead><tr><th></th>${b.columns
        .map((c) => `<th>${escape(c)}</th>`)
        .join("")}</tr></thead><tbody>${b.rows
        .map(
          (r) =>
            `<tr><th>${escape(r.label)}</th>${r.cells
              .map(
                (c) =>
                  `<td>${c.figure === undefined ? "" : img(c.figure)}<div class="note">${escape(c.note)}</div></td>`
              )
              .join("")}</tr>`
        )
        .join("")}</tbody></table>`
  }
}

const css = `body{font:14px/1.4 system-ui,sans-serif;margin:2em auto;max-width:1500px;padding:0 1em;color:#222}
img{max-width:100%;height:auto}h1{font-size:1.6em}h2{border-bottom:1px solid #ddd;padding-bottom:.2em;margin-top:2em}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ddd;padding:2px 6px;text-align:right}
th{background:#f4f4f4}caption{text-align:left;font-weight:bold;padding:.3em 0}
table.grid td{text-align:center;vertical-align:top}table.grid img{image-rendering:pixelated;width:96px;height:96px}
.note{font-size:11px;color:#555}.file{color:#888;font-size:12px}figure{margin:.5em 0}
.legend span{margin-right:1em}.legend i{display:inline-block;width:12px;height:12px;margin-right:4px;vertical-align:middle}
nav a{margin-right:1em}`

/** The whole page. */
export const page = (
  title: string,
  summary: ReadonlyArray<string>,
  sections: ReadonlyArray<Section>
): string =>
  `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>${css}</style></head>
<body><h1>${escape(title)}</h1>
${summary.map((s) => `<p>${escape(s)}</p>`).join("\n")}
<nav>${sections.map((s) => `<a href="#${escape(s.id)}">${escape(s.title)}</a>`).join("")}</nav>
${sections.map((s) => `<section id="${escape(s.id)}"><h2>${escape(s.title)}</h2>\n${s.blocks.map(block).join("\n")}</section>`).join("\n")}
</body></html>
`

/** Rows of the alignment table. */
export const alignmentRows = (summaries: ReadonlyArray<Alignment.PairSummary>): Table => ({
  head: [
    "pair (b relative to a)",
    "measured",
    "reliable",
    "median px",
    "95 % px",
    "max px",
    "mean dx",
    "mean dy",
    "outliers > 0.5 px"
  ],
  rows: summaries.map((s) => [
    s.pair,
    s.measured,
    s.reliable,
    s.medianPx,
    s.p95Px,
    s.maxPx,
    s.meanDx,
    s.meanDy,
    s.outliers.length
  ])
})
