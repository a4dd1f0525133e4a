// The scenes the S1 generator simulates, as functions of (lat°, lon°) around a centre: σ⁰ in dB (VH 8 dB below
// VV through `offsetDb`) and terrain heights above EGM96. Shared with the tests that compute the truth.
import type { Simulate } from "@eoforge/sentinel1"

/** The scenes around (lat0, lon0): relief (a 350 m hill on a 300 m plateau) and flat (300 m). */
export const make = (lat0: number, lon0: number) => {
  const local = (lat: number, lon: number) => [
    (lon - lon0) * 111_320 * Math.cos((lat0 * Math.PI) / 180),
    (lat - lat0) * 110_540
  ]
  const sigma0Db = (offsetDb: number) => (lat: number, lon: number) => {
    const [x, y] = local(lat, lon)
    return (
      -10 + offsetDb + 3 * Math.sin((2 * Math.PI * x) / 300) * Math.cos((2 * Math.PI * y) / 400)
    )
  }
  return {
    relief: (offsetDb: number): Simulate.Scene => ({
      sigma0Db: sigma0Db(offsetDb),
      height: (lat, lon) => {
        const [x, y] = local(lat, lon)
        return 300 + 350 * Math.exp(-((x - 200) ** 2 + (y + 100) ** 2) / (2 * 500 ** 2))
      }
    }),
    flat: (offsetDb: number): Simulate.Scene => ({
      sigma0Db: sigma0Db(offsetDb),
      height: () => 300
    })
  }
}
