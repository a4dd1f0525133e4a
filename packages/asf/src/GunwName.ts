// ARIA Sentinel-1 GUNW product names, as JPL's ARIA standard products are named and ASF distributes them:
// S1-GUNW-{A|D}-{R|L}-{track}-tops-{reference yyyymmdd}_{secondary yyyymmdd}-{hhmmss}-{frame}-PP-{hash}-v{version}
// e.g. S1-GUNW-A-R-064-tops-20210723_20210711-015000-00119W_00033N-PP-6267-v2_0_6(.nc). The reference is the
// later acquisition and comes first; `hhmmss` is the reference's UTC centre time; the frame is two latitudes
// (`34956N_32979N`, up to v2.0.4) or a longitude and latitude (`00119W_00033N`, since v2.0.5), in 1/1000 °.

/** What a GUNW name states. */
export interface GunwName {
  /** The name without extension (ASF `fileID`). */
  readonly id: string
  /** `A` ascending, `D` descending. */
  readonly direction: "A" | "D"
  /** `R` right-looking (Sentinel-1), `L` left. */
  readonly lookSide: "R" | "L"
  /** Relative orbit (track) number. */
  readonly track: number
  /** Reference (later) acquisition date, UTC midnight, epoch ms. */
  readonly reference: number
  /** Secondary (earlier) acquisition date, UTC midnight, epoch ms. */
  readonly secondary: number
  /** Reference acquisition instant (date and the name's hhmmss), epoch ms. */
  readonly referenceTime: number
  /** The frame part of the name (`00119W_00033N`), identifying the frame along the track. */
  readonly frame: string
  /** Version as numbers, e.g. [2, 0, 6]. */
  readonly version: ReadonlyArray<number>
}

const pattern =
  /^S1-GUNW-([AD])-([RL])-(\d{3})-tops-(\d{8})_(\d{8})-(\d{6})-(\d{5}[NSEW]_\d{5}[NSEW])-PP-([0-9a-z]{4})-v(\d+(?:_\d+)*)$/

const day = (yyyymmdd: string): number | undefined => {
  const y = Number(yyyymmdd.slice(0, 4))
  const m = Number(yyyymmdd.slice(4, 6))
  const d = Number(yyyymmdd.slice(6, 8))
  const t = Date.UTC(y, m - 1, d)
  const back = new Date(t)
  return back.getUTCMonth() === m - 1 && back.getUTCDate() === d ? t : undefined
}

/** The parts of a GUNW file name or URL (any folder and `.nc` dropped), or undefined when it is not one. */
export const parse = (nameOrUrl: string): GunwName | undefined => {
  const base = (nameOrUrl.split(/[?#]/)[0] ?? "").split("/").pop() ?? ""
  const id = base.replace(/\.nc$/, "")
  const m = pattern.exec(id)
  if (m === null) return undefined
  const reference = day(m[4]!)
  const secondary = day(m[5]!)
  const hh = Number(m[6]!.slice(0, 2))
  const mi = Number(m[6]!.slice(2, 4))
  const ss = Number(m[6]!.slice(4, 6))
  if (reference === undefined || secondary === undefined || hh > 23 || mi > 59 || ss > 59)
    return undefined
  return {
    id,
    direction: m[1] as "A" | "D",
    lookSide: m[2] as "R" | "L",
    track: Number(m[3]),
    reference,
    secondary,
    referenceTime: reference + ((hh * 60 + mi) * 60 + ss) * 1000,
    frame: m[7]!,
    version: m[9]!.split("_").map(Number)
  }
}

/** The temporal baseline in whole days (reference − secondary). */
export const baselineDays = (name: Pick<GunwName, "reference" | "secondary">): number =>
  Math.round((name.reference - name.secondary) / 86_400_000)

/** Compares versions numerically (negative when `a` is older). */
export const compareVersions = (a: ReadonlyArray<number>, b: ReadonlyArray<number>): number => {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0)
    if (d !== 0) return d
  }
  return 0
}
