// @eoforge/report: a static HTML report of a dataset store — maps, availability, statistics,
// quicklooks and a sub-pixel alignment check between products — with one PNG per figure.
export * as Alignment from "./Alignment.ts"
export * as Canvas from "./Canvas.ts"
export * as Charts from "./Charts.ts"
export * as Coastlines from "./Coastlines.ts"
export * as Collect from "./Collect.ts"
export * as Html from "./Html.ts"
export * as Maps from "./Maps.ts"
export * as PhaseCorrelation from "./PhaseCorrelation.ts"
export * as Quicklook from "./Quicklook.ts"
export * as Report from "./Report.ts"
export * as ReportError from "./ReportError.ts"
export * as Sections from "./Sections.ts"
