// SRTM .hgt tiles as GDAL's SRTMHGT driver reads them: a square (or 1801 × 3601) grid of big-endian int16
// with no header, named after its south-west corner (`N48W090[.anything].hgt`, also as a zip member); pixel
// centres on whole degrees (the geotransform starts half a pixel west and north of the corner), WGS 84, nodata
// −32768. The name is the only georeferencing, so a renamed file cannot be read as a tile.
import { Crs, DType } from "@eoforge/core"
import { splitUri, type Format, type Opened } from "../../Format.ts"
import { HeaderProblem } from "../header.ts"

const namePattern = /^([NS])(\d{2})([EW])(\d{3})(?:\.[^/\\]*)?\.hgt$/i

/** Sizes GDAL recognises from the file length: 3″ (1201²), 1″ (3601²), and 1″ tiles halved in longitude. */
const shapes: ReadonlyArray<readonly [number, number]> = [
  [1201, 1201],
  [3601, 3601],
  [1801, 3601]
]

/** The tile's south-west corner from a file or member name, undefined when it is no tile name. */
export const corner = (uri: string): { readonly lon: number; readonly lat: number } | undefined => {
  const { location, fragment } = splitUri(uri)
  const path = fragment.get("member") ?? location.split("?")[0]
  const m = namePattern.exec(path.split(/[/\\]/).pop() ?? "")
  if (m === null) return undefined
  const lat = Number(m[2]) * (m[1].toUpperCase() === "S" ? -1 : 1)
  const lon = Number(m[4]) * (m[3].toUpperCase() === "W" ? -1 : 1)
  return lat >= -90 && lat < 90 && lon >= -180 && lon < 180 ? { lon, lat } : undefined
}

/** The SRTM .hgt format. */
export const hgt: Format = {
  name: "SRTM HGT",
  sniff: (_head, uri) => corner(uri) !== undefined,
  open: async ({ uri, bytes }): Promise<Opened> => {
    const sw = corner(uri)!
    const size = bytes.fileSize
    const shape = shapes.find(([w, h]) => 2 * w * h === size)
    if (shape === undefined)
      throw new HeaderProblem(
        "Malformed",
        `its size (${size ?? "unknown"} bytes) is not that of an SRTM tile (1201², 3601² or 1801 × 3601 int16); the file is truncated or not an .hgt tile`
      )
    const [width, height] = shape
    const nodata = -32768
    return {
      header: {
        width,
        height,
        bands: 1,
        dtype: "int16",
        crs: Crs.wgs84,
        geoTransform: [
          sw.lon - 0.5 / (width - 1),
          1 / (width - 1),
          0,
          sw.lat + 1 + 0.5 / (height - 1),
          0,
          -1 / (height - 1)
        ],
        nodata,
        scale: [1],
        offset: [0],
        descriptions: [undefined],
        classes: [undefined],
        blockWidth: width,
        blockHeight: 1
      },
      levels: [
        {
          width,
          height,
          read: async ([x0, y0, x1, y1], _bands, destination) => {
            const w = x1 - x0
            const slices = Array.from({ length: y1 - y0 }, (_, r) => ({
              offset: 2 * ((y0 + r) * width + x0),
              length: 2 * w
            }))
            const rows = await bytes.fetch(slices)
            const out = destination === undefined ? DType.alloc("int16", w * (y1 - y0)) : undefined
            rows.forEach((buffer, r) => {
              const view = new DataView(buffer)
              const target = destination?.arrays[0] ?? out!
              const start =
                destination === undefined
                  ? r * w
                  : (r + destination.dy) * destination.stride + destination.dx
              for (let i = 0; i < w; i++) {
                const v = view.getInt16(2 * i, false)
                target[start + i] = v
                if (v === nodata && destination?.seen !== undefined) destination.seen.nodata = true
              }
            })
            return out === undefined ? [] : [out]
          }
        }
      ]
    }
  }
}
