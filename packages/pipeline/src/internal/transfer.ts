// The request budget of a build (Build.Transfer): range requests, bytes, retries and throttled requests of
// this process's reads since a point, with what worker threads read added.
import { RasterSource } from "@eoforge/raster"
import type * as ShardThreads from "../ShardThreads.ts"

/** The request budget of a build: what reading its chips over the network cost (URL sources only). */
export interface Transfer {
  /** Chips with data read by this process. */
  readonly chips: number
  readonly requests: number
  readonly bytes: number
  /** Requests sent again after a 429, a 5xx or a timeout (Retry-After honoured). */
  readonly retries: number
  /**
   * Requests the hosts refused as too many (429, 503 SlowDown; counted among `retries` when sent again): each
   * slowed the host's pacer (@eoforge/access `Pacing`), so the later requests to it were paced.
   */
  readonly throttled: number
  readonly requestsPerChip: number
  readonly bytesPerChip: number
}

/** What reading `chips` chips cost since `before` (RasterSource.transferTotals of this process). */
export const transferSince = (
  before: ReturnType<typeof RasterSource.transferTotals>,
  chips: number
): Transfer => {
  const now = RasterSource.transferTotals()
  return transferOf(
    chips,
    now.requests - before.requests,
    now.bytes - before.bytes,
    now.retries - before.retries,
    now.throttled - before.throttled
  )
}

const transferOf = (
  chips: number,
  requests: number,
  bytes: number,
  retries: number,
  throttled: number
): Transfer => ({
  chips,
  requests,
  bytes,
  retries,
  throttled,
  requestsPerChip: chips === 0 ? 0 : requests / chips,
  bytesPerChip: chips === 0 ? 0 : bytes / chips
})

/** A transfer summary with what worker threads read added. */
export const withThreads = (own: Transfer, others: ReadonlyArray<ShardThreads.Totals>): Transfer =>
  others.reduce(
    (a, t) =>
      transferOf(
        a.chips + t.chips,
        a.requests + t.requests,
        a.bytes + t.bytes,
        a.retries + t.retries,
        a.throttled + t.throttled
      ),
    own
  )
