// The build record (`.eoforge/build.json`) of a prepared build: dataset metadata, the sampling rule in
// words, split fit and counts, time slots and sources, as Finalize needs them for Croissant and the card.
import { Cities } from "@eoforge/grid"
import type { Prepared } from "../Build.ts"
import type { BuildRecord } from "../Finalize.ts"
import { version } from "../Version.ts"

/** What a build records about itself beside the data: metadata, sampling rule, slots, sources. */
export const buildRecord = (prepared: Prepared, createdAt: string): BuildRecord => {
  const { loaded, products, plan } = prepared
  const r = loaded.recipe
  const samplingRule =
    r.sampling.sampler === "cities"
      ? `Gaussian (σ = ${r.sampling.sigmaKm} km on the ground) around ${r.sampling.weighting === "uniform" ? "uniformly chosen" : "population-weighted"} cities of the ${r.sampling.topN} most populous (SimpleMaps world cities); ${r.patch.size} m patches; overlap ≤ ${r.overlap.maxOverlap * 100} %`
      : r.sampling.sampler === "sphere"
        ? `uniform on the ellipsoid by area; ${r.patch.size} m patches; overlap ≤ ${r.overlap.maxOverlap * 100} %`
        : r.sampling.sampler === "aoi"
          ? `uniform by area inside ${r.sampling.aoi}; ${r.patch.size} m patches; overlap ≤ ${r.overlap.maxOverlap * 100} %`
          : r.sampling.sampler === "tiles"
            ? `every ${r.patch.size} m tile of ${r.sampling.aoi}, laid out per UTM zone`
            : `the locations listed in ${r.sampling.locations}`
  const sources: Array<BuildRecord["sources"][number]> = products.map((p) => ({
    name: p.spec.title ?? p.spec.id,
    ...(p.spec.license === undefined ? {} : { license: p.spec.license }),
    attribution: p.spec.attribution ?? `Source: ${p.spec.source ?? p.spec.id}`
  }))
  if (r.sampling.sampler === "cities") {
    sources.push({
      name: Cities.attribution.name,
      license: Cities.attribution.license,
      attribution: Cities.attribution.text
    })
  }
  return {
    name: r.name,
    title: r.name,
    description: r.description ?? `EOForge dataset ${r.name}`,
    version: r.version,
    license: r.license,
    ...(r.url === undefined ? {} : { url: r.url }),
    creators: r.creators ?? [{ type: "Organization", name: "EOForge" }],
    citeAs:
      r.citeAs ??
      `${r.name} ${r.version}, built with EOForge ${version} from recipe ${r.name} (seed ${r.seed})`,
    keywords: r.keywords ?? ["earth observation", "remote sensing", "EOForge"],
    createdAt,
    seed: r.seed,
    samplingRule,
    sampling: plan.sampling,
    split: { fitted: plan.splitFit, counts: plan.splitCounts },
    products: products.map((p) => ({
      id: p.spec.id,
      slots: p.slots.map((s) => ({
        id: s.id,
        start: new Date(s.start).toISOString(),
        end: new Date(s.end).toISOString()
      })),
      ...(p.rules.maxCloud === undefined ? {} : { maxCloud: p.rules.maxCloud })
    })),
    sources
  }
}
