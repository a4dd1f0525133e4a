// HDF4 / HDF-EOS2 grids (MODIS tiles such as MOD44B) as a raster format: a field chosen by `#var=` (`field` or
// `grid:field`), georeferenced from the grid's StructMetadata.0 as GDAL's HDF4_EOS:EOS_GRID reads it (origin
// UpperLeftPointMtrs, pixel size (LowerRightMtrs − UpperLeftPointMtrs) / (XDim, YDim), the GCTP projection),
// nodata from _FillValue, scale_factor/add_offset; pixels read as windows of the SDS (sds.ts).
import { Crs, DType } from "@eoforge/core"
import type { Format, Opened } from "../../Format.ts"
import { splitUri } from "../../Format.ts"
import { HeaderProblem } from "../header.ts"
import { isHdf4, readDescriptors } from "./elements.ts"
import { globalAttribute, listSds, readSdsWindow } from "./sds.ts"

/** One GRID group of StructMetadata.0 (HDF-EOS ODL text). */
export interface EosGrid {
  readonly name: string
  readonly xDim: number
  readonly yDim: number
  readonly upperLeft: readonly [number, number]
  readonly lowerRight: readonly [number, number]
  readonly projection: string
  readonly params: ReadonlyArray<number>
  readonly zone: number | undefined
  readonly sphere: number | undefined
  readonly fields: ReadonlyArray<string>
}

const pair = (text: string, key: string): readonly [number, number] | undefined => {
  const m = new RegExp(`\\b${key}=\\(([^,]+),([^)]+)\\)`).exec(text)
  return m === null ? undefined : [Number(m[1]), Number(m[2])]
}

/** The grids StructMetadata.0 describes. */
export const parseGrids = (odl: string): ReadonlyArray<EosGrid> => {
  const out: Array<EosGrid> = []
  for (const m of odl.matchAll(/GROUP=GRID_\d+([\s\S]*?)END_GROUP=GRID_\d+/g)) {
    const g = m[1]
    const value = (key: string) => new RegExp(`\\b${key}=("?)([^"\\n]*)\\1`).exec(g)?.[2]?.trim()
    const ul = pair(g, "UpperLeftPointMtrs")
    const lr = pair(g, "LowerRightMtrs")
    const params = /ProjParams=\(([^)]*)\)/.exec(g)?.[1].split(",").map(Number) ?? []
    if (ul === undefined || lr === undefined) continue
    out.push({
      name: value("GridName") ?? "",
      xDim: Number(value("XDim")),
      yDim: Number(value("YDim")),
      upperLeft: ul,
      lowerRight: lr,
      projection: value("Projection") ?? "",
      params,
      zone: value("ZoneCode") === undefined ? undefined : Number(value("ZoneCode")),
      sphere: value("SphereCode") === undefined ? undefined : Number(value("SphereCode")),
      fields: [...g.matchAll(/DataFieldName="([^"]*)"/g)].map((f) => f[1])
    })
  }
  return out
}

/** GCTP's packed degrees (DDDMMMSSS.SS) as decimal degrees. */
const packedDegrees = (v: number) => {
  const sign = v < 0 ? -1 : 1
  const a = Math.abs(v)
  const d = Math.floor(a / 1e6)
  const m = Math.floor((a - d * 1e6) / 1e3)
  return sign * (d + m / 60 + (a - d * 1e6 - m * 1e3) / 3600)
}

/** The CRS of a GCTP projection as GDAL's HDF-EOS reading builds it (sphere radius from ProjParams[0]). */
export const crsOfGrid = (g: EosGrid, uri: string): Crs.Crs => {
  const p = (i: number) => g.params[i] ?? 0
  const earth = p(0) > 0 ? (p(1) > 0 ? `+a=${p(0)} +b=${p(1)}` : `+R=${p(0)}`) : "+datum=WGS84"
  switch (g.projection) {
    case "GCTP_SNSOID":
      return Crs.fromProj(
        `+proj=sinu +lon_0=${packedDegrees(p(4))} +x_0=${p(6)} +y_0=${p(7)} ${earth} +units=m +no_defs`
      )
    case "GCTP_GEO":
      return Crs.epsg(4326)
    case "GCTP_UTM": {
      const zone = g.zone ?? 0
      return Crs.epsg(zone >= 0 ? 32600 + zone : 32700 - zone)
    }
  }
  throw new HeaderProblem(
    "UnsupportedCrs",
    `its HDF-EOS grid ${g.name} uses the ${g.projection} projection, which EOForge does not map yet; reproject it with gdalwarp`
  )
  void uri
}

const num = (v: string | ReadonlyArray<number> | undefined) =>
  Array.isArray(v) && v.length > 0 ? (v[0] as number) : undefined

/** The HDF4 / HDF-EOS2 format. */
export const hdf4: Format = {
  name: "HDF4/HDF-EOS2",
  sniff: (head) => isHdf4(head),
  open: async (context): Promise<Opened> => {
    const { bytes, limits, budget, cache, owner, uri } = context
    const file = await readDescriptors(bytes, limits.maxTagBytes, limits.maxReadBytes)
    const all = await listSds(file)
    const odl = await globalAttribute(file, "StructMetadata.0")
    const grids = odl === undefined ? [] : parseGrids(odl)
    const wanted = splitUri(uri).fragment.get("var")
    const [gridName, fieldName] =
      wanted === undefined
        ? [undefined, undefined]
        : wanted.includes(":")
          ? wanted.split(":", 2)
          : [undefined, wanted]
    const candidates = grids.flatMap((g) =>
      g.fields.filter((f) => all.has(f)).map((f) => [g, f] as const)
    )
    const chosen =
      fieldName === undefined
        ? candidates.length === 1
          ? candidates[0]
          : undefined
        : candidates.find(
            ([g, f]) => f === fieldName && (gridName === undefined || g.name === gridName)
          )
    if (chosen === undefined) {
      if (grids.length === 0)
        throw new HeaderProblem(
          "NoGeoreferencing",
          "it is an HDF4 file without HDF-EOS grid metadata (StructMetadata.0); EOForge reads HDF-EOS2 grids (MODIS tiles), convert others with gdal_translate"
        )
      throw new HeaderProblem(
        "NotFound",
        fieldName === undefined
          ? `it holds several grid fields; name one in the URI, e.g. #var=${candidates[0]?.[1] ?? "…"} (fields: ${candidates.map(([g, f]) => `${g.name}:${f}`).join(", ")})`
          : `it has no grid field ${wanted}; its fields are ${candidates.map(([g, f]) => `${g.name}:${f}`).join(", ")}`
      )
    }
    const [grid, field] = chosen
    const sds = await all.get(field)!()
    if (sds.dims.length !== 2 || sds.dims[0] !== grid.yDim || sds.dims[1] !== grid.xDim)
      throw new HeaderProblem(
        "Malformed",
        `its field ${field} is ${sds.dims.join(" × ")}, not the grid's ${grid.yDim} × ${grid.xDim}; only 2-D (YDim, XDim) fields are read`
      )
    if (
      grid.xDim > limits.maxDimension ||
      grid.yDim > limits.maxDimension ||
      grid.xDim < 1 ||
      grid.yDim < 1
    )
      throw new HeaderProblem(
        "TooLarge",
        `its grid ${grid.name} is ${grid.xDim} × ${grid.yDim} px, outside 1–${limits.maxDimension}`
      )
    const crs = crsOfGrid(grid, uri)
    const dx = (grid.lowerRight[0] - grid.upperLeft[0]) / grid.xDim
    const dy = (grid.lowerRight[1] - grid.upperLeft[1]) / grid.yDim
    const nodata = num(sds.attributes.get("_FillValue"))
    const w = { file, sds, cache, owner, budget, fill: nodata ?? 0 }
    const chunk = sds.storage.kind === "chunked" ? sds.storage.chunk : undefined
    return {
      header: {
        width: grid.xDim,
        height: grid.yDim,
        bands: 1,
        dtype: sds.dtype,
        crs,
        geoTransform: [grid.upperLeft[0], dx, 0, grid.upperLeft[1], 0, dy],
        nodata,
        scale: [num(sds.attributes.get("scale_factor")) ?? 1],
        offset: [num(sds.attributes.get("add_offset")) ?? 0],
        descriptions: [field],
        classes: [undefined],
        blockWidth: chunk?.[1] ?? grid.xDim,
        blockHeight: chunk?.[0] ?? 1
      },
      levels: [
        {
          width: grid.xDim,
          height: grid.yDim,
          read: async (window, _bands, destination) => {
            const [x0, y0, x1, y1] = window
            const dest = destination ?? {
              arrays: [DType.alloc(sds.dtype, (x1 - x0) * (y1 - y0))],
              stride: x1 - x0,
              dx: 0,
              dy: 0
            }
            await readSdsWindow(w, window, dest)
            return destination === undefined ? dest.arrays : []
          }
        }
      ]
    }
  }
}
