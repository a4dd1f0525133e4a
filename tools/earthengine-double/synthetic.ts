// Synthetic fixture images for the Earth Engine double (collection TEST/S2): values are a formula of the pixel centre, so the
// expected chip of any grid can be computed independently of the double.
import { Crs, PixelGrid } from "@eoforge/core"
import type { FixtureImage, Grid } from "./evaluate.ts"

/** The UTM zone of the fixtures. */
export const crsCode = "EPSG:32633"

/** A patch grid at 10 m inside the fixtures' extent. */
export const grid = (x0 = 500_000, y0 = 5_000_000, size = 64): PixelGrid.PixelGrid =>
  PixelGrid.make(Crs.epsg(32633), x0, y0, 10, size, size)

/** The value of `band` of image `k` at the pixel centre (x, y). */
export const value = (k: number, band: number, x: number, y: number): number =>
  (Math.floor(x / 10) * 7 + Math.floor(y / 10) * 13 + band * 101 + k * 1009) % 4000

/** Pixels east of this easting hold no data in image 0 (a scene edge). */
export const edgeX = 500_400

const day = (d: string) => Date.parse(`${d}T10:00:00Z`)

const image = (
  k: number,
  id: string,
  time: number,
  cloud: number,
  extent: readonly [number, number, number, number] = [400_000, 4_900_000, 700_000, 5_200_000]
): FixtureImage => ({
  id,
  time,
  properties: { CLOUDY_PIXEL_PERCENTAGE: cloud, instrumentMode: "IW" },
  bands: [
    { name: "B4", dtype: "uint16" },
    { name: "B8", dtype: "uint16" },
    { name: "SCL", dtype: "uint8" }
  ],
  intersects: (crs, b) =>
    crs === crsCode && b[0] < extent[2] && b[2] > extent[0] && b[1] < extent[3] && b[3] > extent[1],
  pixels: async (band, g: Grid) => {
    const b = ["B4", "B8", "SCL"].indexOf(band)
    const n = g.width * g.height
    const data = new Float64Array(n)
    const mask = new Uint8Array(n)
    for (let r = 0; r < g.height; r++) {
      for (let c = 0; c < g.width; c++) {
        const x = g.x0 + (c + 0.5) * g.resolution
        const y = g.y0 - (r + 0.5) * g.resolution
        const i = r * g.width + c
        const inside = x > extent[0] && x < extent[2] && y > extent[1] && y < extent[3]
        mask[i] = inside && !(k === 0 && x > edgeX) ? 1 : 0
        // SCL: class 9 (cloud high probability) on every 5th column, else 4 (vegetation).
        data[i] = b === 2 ? (c % 5 === 0 ? 9 : 4) : value(k, b, x, y)
      }
    }
    return { data, mask }
  }
})

/** The fixture collection `TEST/S2`: three June 2021 scenes (cloud 30 %, 5 %, 8 %) and one in 2020. */
export const collection: ReadonlyArray<FixtureImage> = [
  image(0, "20210610T100000_T33TUN", day("2021-06-10"), 30),
  image(1, "20210615T100000_T33TUN", day("2021-06-15"), 5),
  image(2, "20210620T100000_T33TUN", day("2021-06-20"), 8),
  image(3, "20200615T100000_T33TUN", day("2020-06-15"), 1)
]

/** June 2021, whole days. */
export const june2021 = { start: Date.UTC(2021, 5, 1), end: Date.UTC(2021, 5, 30, 23, 59, 59, 999) }
