// Reason codes: why a patch × product × time slot holds data or not (stored as uint8).
// Every slot of a dataset ends as data (Ok) or as exactly one of these codes.

/** Reason codes by name. Values are stable: they are written into stores. */
export const Reason = {
  /** Data present. */
  Ok: 0,
  /** Not yet processed (fill value of a fresh store). */
  Pending: 1,
  /** No acquisition found in the time window. */
  NoItemInWindow: 2,
  /** Acquisitions exist, all above the cloud threshold. */
  TooCloudy: 3,
  /** A pairing constraint (same datatake, S1 within Δt) could not be met. */
  PairingFailed: 4,
  /** The catalogue or asset host failed after retries. */
  SourceError: 5,
  /** The acquisition does not cover the patch (too much nodata). */
  NotCovered: 6,
  /** The raster could not be read or decoded. */
  ReadFailed: 7,
  /** The patch lies in a split guard zone and was not extracted (recipe split.extractGuard: false). */
  Guard: 8,
  /** The acquisition's asset is not a format or geometry EOForge reads (PNG, radar geometry, …). */
  Unsupported: 9,
  /**
   * The asset needs credentials or permissions the build lacks (no keys or token, a refused login, a 403 from
   * a requester-pays bucket without the payer header); the detail says what to set. Not retried.
   */
  AccessDenied: 10,
  /** The source's quota is exhausted (e.g. Earth Engine 429 after every retry). */
  QuotaExceeded: 11,
  /** Acquisitions exist, none with every polarisation the product needs (e.g. HH-only where VV+VH is asked). */
  PolarisationMissing: 12,
  /** A composite slot has acquisitions, but no pixel of the patch is valid in any of them (clouds, nodata). */
  NoValidPixel: 13,
  /**
   * An asset the recipe needs besides the bands is absent from the chosen item (e.g. the quality layer of a
   * `cloudMask` without `fallback: scene-cover`); the detail names the item and asset. Not retried.
   */
  MissingAsset: 14
} as const

/** A reason code. */
export type Reason = (typeof Reason)[keyof typeof Reason]

const names = Object.fromEntries(Object.entries(Reason).map(([k, v]) => [v, k])) as Record<
  number,
  string
>

/** The name of a reason code, e.g. `TooCloudy`. */
export const name = (code: number): string => names[code] ?? `Unknown(${code})`

/** Every reason code with its name, in code order. */
export const all: ReadonlyArray<readonly [string, Reason]> = Object.entries(
  Reason
) as ReadonlyArray<readonly [string, Reason]>
