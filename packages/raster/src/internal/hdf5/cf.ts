// CF conventions over HDF5 datasets, as GDAL's netCDF driver reads them: the variable named in the URI
// fragment (or the only 2-D one), its 1-D coordinate variables (DIMENSION_LIST, else lat/lon/x/y names beside
// it) giving a pixel-is-area geotransform from the centres (bottom-up files flipped north-up), the grid mapping
// (crs_wkt / spatial_ref / epsg_code, else CF parameters), scale_factor/add_offset and _FillValue/missing_value.
import { Crs } from "@eoforge/core"
import { HeaderProblem } from "../header.ts"
import type { AttributeValue } from "./messages.ts"

/** A dataset seen by the CF layer: path, shape and attributes. */
export interface Variable {
  readonly path: string
  readonly dims: ReadonlyArray<number>
  readonly attributes: ReadonlyMap<string, AttributeValue>
  readonly address: number
}

const num = (v: AttributeValue): number | undefined =>
  Array.isArray(v) && v.length > 0 && typeof v[0] === "number" ? v[0] : undefined
const str = (v: AttributeValue): string | undefined => (typeof v === "string" ? v : undefined)

const parent = (path: string) => path.slice(0, path.lastIndexOf("/"))
const base = (path: string) => path.slice(path.lastIndexOf("/") + 1)

/** Whether a dataset is a netCDF coordinate variable or other auxiliary (not a raster to offer). */
const isAuxiliary = (v: Variable, all: ReadonlyMap<string, Variable>): boolean =>
  v.dims.length < 2 ||
  str(v.attributes.get("CLASS")) === "DIMENSION_SCALE" ||
  [...all.values()].some((o) => str(o.attributes.get("grid_mapping")) === base(v.path))

/** The variable a URI names (`#var=/grp/name` or `#var=name`), or the only 2-D variable of the file. */
export const chooseVariable = (
  all: ReadonlyMap<string, Variable>,
  wanted: string | undefined
): Variable => {
  if (wanted !== undefined) {
    const path = wanted.startsWith("/") ? wanted : `/${wanted}`
    const v = all.get(path)
    if (v === undefined)
      throw new HeaderProblem(
        "NotFound",
        `it has no variable ${path}; its variables are ${[...all.keys()].join(", ")}`
      )
    if (v.dims.length < 2)
      throw new HeaderProblem(
        "Malformed",
        `its variable ${path} has ${v.dims.length} dimension(s); a raster needs 2`
      )
    return v
  }
  const rasters = [...all.values()].filter((v) => !isAuxiliary(v, all))
  if (rasters.length === 1) return rasters[0]
  throw new HeaderProblem(
    "NotFound",
    rasters.length === 0
      ? "it has no 2-D variable to read as a raster"
      : `it holds several 2-D variables; name one in the URI, e.g. #var=${rasters[0].path} (variables: ${rasters.map((v) => v.path).join(", ")})`
  )
}

const xNames = ["lon", "longitude", "x", "easting", "long"]
const yNames = ["lat", "latitude", "y", "northing"]

/** The 1-D coordinate variables of the variable's last two dimensions (y, x). */
export const coordinateVariables = (
  v: Variable,
  all: ReadonlyMap<string, Variable>
): { readonly y: Variable; readonly x: Variable } | undefined => {
  const byAddress = new Map([...all.values()].map((o) => [o.address, o]))
  const list = v.attributes.get("DIMENSION_LIST")
  const rank = v.dims.length
  // netCDF-4 gives dimensions without a coordinate variable a placeholder scale with this NAME.
  const real = (o: Variable | undefined) =>
    o === undefined ||
    str(o.attributes.get("NAME"))?.startsWith("This is a netCDF dimension but not")
      ? undefined
      : o
  if (Array.isArray(list) && list.length === rank) {
    const y = real(byAddress.get(list[rank - 2] as number))
    const x = real(byAddress.get(list[rank - 1] as number))
    if (
      y !== undefined &&
      x !== undefined &&
      y.dims.length === 1 &&
      x.dims.length === 1 &&
      y.dims[0] === v.dims[rank - 2] &&
      x.dims[0] === v.dims[rank - 1]
    )
      return { y, x }
  }
  // Without dimension scales (h5py files): 1-D variables named as coordinates, nearest group first.
  for (let group = parent(v.path); ; group = parent(group)) {
    const find = (names: ReadonlyArray<string>, n: number) =>
      names
        .map((name) => all.get(`${group}/${name}`))
        .find((o) => real(o) !== undefined && o!.dims.length === 1 && o!.dims[0] === n)
    const x = find(xNames, v.dims[rank - 1])
    const y = find(yNames, v.dims[rank - 2])
    if (x !== undefined && y !== undefined) return { y, x }
    if (group === "") return undefined
  }
}

/**
 * GDAL's geotransform from coordinate centres: spacing (last − first) / (n − 1), origin half a pixel out;
 * latitude increasing (bottom-up rows) is presented north-up (`flip`).
 */
export const geoTransformOf = (
  xs: ArrayLike<number>,
  ys: ArrayLike<number>,
  path: string
): {
  readonly geoTransform: readonly [number, number, number, number, number, number]
  readonly flip: boolean
} => {
  const regular = (c: ArrayLike<number>) => {
    if (c.length < 2) return false
    const step = (c[c.length - 1] - c[0]) / (c.length - 1)
    // Spacings equal within a thousandth of a pixel, plus what float32 coordinates wobble by.
    const tolerance =
      Math.abs(step) * 2e-3 + Math.max(Math.abs(c[0]), Math.abs(c[c.length - 1])) * 5e-7
    for (let i = 1; i < c.length; i++)
      if (Math.abs(c[i] - c[i - 1] - step) > tolerance) return false
    return step !== 0
  }
  if (!regular(xs) || !regular(ys))
    throw new HeaderProblem(
      "NoGeoreferencing",
      `its variable ${path} has irregular or single-valued coordinates; regrid it (gdalwarp or cdo remapbil) onto a regular grid`
    )
  const nx = xs.length
  const ny = ys.length
  const dx = (xs[nx - 1] - xs[0]) / (nx - 1)
  const dy = Math.abs(ys[ny - 1] - ys[0]) / (ny - 1)
  const flip = ys[0] < ys[ny - 1]
  const top = Math.max(ys[0], ys[ny - 1])
  return { geoTransform: [xs[0] - dx / 2, dx, 0, top + dy / 2, 0, -dy], flip }
}

const ellipsoid = (a: ReadonlyMap<string, AttributeValue>) => {
  const major = num(a.get("semi_major_axis")) ?? num(a.get("earth_radius"))
  const rf = num(a.get("inverse_flattening"))
  const minor = num(a.get("semi_minor_axis"))
  // An unnamed datum on WGS 84's ellipsoid: PROJ goes to WGS 84 by a ballpark (null) shift, as +datum=WGS84 does.
  if (
    major === undefined ||
    (major === 6378137 && rf !== undefined && Math.abs(rf - 298.257223563) < 1e-9)
  )
    return "+datum=WGS84"
  if (rf !== undefined && rf > 0) return `+a=${major} +rf=${rf}`
  return `+a=${major} +b=${minor ?? major}`
}

/** A CRS from a CF grid-mapping variable's attributes (GDAL reads crs_wkt/spatial_ref first). */
export const crsOfGridMapping = (a: ReadonlyMap<string, AttributeValue>, path: string): Crs.Crs => {
  const wkt = str(a.get("spatial_ref")) ?? str(a.get("crs_wkt"))
  if (wkt !== undefined && wkt.trim() !== "") return Crs.fromWkt(wkt)
  const code = str(a.get("epsg_code")) ?? str(a.get("EPSG_code"))
  const parsed = code === undefined ? undefined : Crs.fromCode(code)
  if (parsed !== undefined) return parsed
  const n = (k: string, fallback = 0) => num(a.get(k)) ?? fallback
  const ell = ellipsoid(a)
  const fe = `+x_0=${n("false_easting")} +y_0=${n("false_northing")}`
  switch (str(a.get("grid_mapping_name"))) {
    case "latitude_longitude":
      return Crs.fromProj(`+proj=longlat ${ell} +no_defs`)
    case "transverse_mercator": {
      // A UTM zone's parameters: PROJ cancels the inverse and forward of the same operation, as the identity
      // of equal definitions does here.
      const lon0 = n("longitude_of_central_meridian")
      const zone = (lon0 + 183) / 6
      const fn = n("false_northing")
      if (
        ell === "+datum=WGS84" &&
        Number.isInteger(zone) &&
        zone >= 1 &&
        zone <= 60 &&
        n("latitude_of_projection_origin") === 0 &&
        n("scale_factor_at_central_meridian", 1) === 0.9996 &&
        n("false_easting") === 500000 &&
        (fn === 0 || fn === 10000000)
      )
        return Crs.fromProj(
          `+proj=utm +zone=${zone}${fn === 0 ? "" : " +south"} +datum=WGS84 +units=m +no_defs`
        )
      return Crs.fromProj(
        `+proj=tmerc +lat_0=${n("latitude_of_projection_origin")} +lon_0=${n("longitude_of_central_meridian")} +k=${n("scale_factor_at_central_meridian", 1)} ${fe} ${ell} +units=m +no_defs`
      )
    }
    case "polar_stereographic": {
      const lat0 = n("latitude_of_projection_origin", 90)
      const lon0 =
        num(a.get("straight_vertical_longitude_from_pole")) ?? n("longitude_of_projection_origin")
      const ts = num(a.get("standard_parallel"))
      const k =
        ts === undefined ? ` +k=${n("scale_factor_at_projection_origin", 1)}` : ` +lat_ts=${ts}`
      return Crs.fromProj(
        `+proj=stere +lat_0=${lat0} +lon_0=${lon0}${k} ${fe} ${ell} +units=m +no_defs`
      )
    }
    case "lambert_conformal_conic":
    case "albers_conical_equal_area": {
      const sp = a.get("standard_parallel")
      const [p1, p2] = Array.isArray(sp) ? (sp as ReadonlyArray<number>) : [0]
      const proj = str(a.get("grid_mapping_name")) === "albers_conical_equal_area" ? "aea" : "lcc"
      return Crs.fromProj(
        `+proj=${proj} +lat_0=${n("latitude_of_projection_origin")} +lon_0=${n("longitude_of_central_meridian")} +lat_1=${p1} +lat_2=${p2 ?? p1} ${fe} ${ell} +units=m +no_defs`
      )
    }
    case "lambert_azimuthal_equal_area":
      return Crs.fromProj(
        `+proj=laea +lat_0=${n("latitude_of_projection_origin")} +lon_0=${n("longitude_of_projection_origin")} ${fe} ${ell} +units=m +no_defs`
      )
    case "sinusoidal":
      return Crs.fromProj(
        `+proj=sinu +lon_0=${n("longitude_of_central_meridian")} ${fe} ${ell} +units=m +no_defs`
      )
  }
  throw new HeaderProblem(
    "UnsupportedCrs",
    `the grid mapping of ${path} (${str(a.get("grid_mapping_name")) ?? "no grid_mapping_name"}) has no crs_wkt and is not a CF mapping EOForge knows; add a crs_wkt attribute`
  )
}

/** netCDF's default fill values by pixel type (GDAL uses them as nodata when no attribute is set). */
export const defaultFill: Readonly<Record<string, number>> = {
  int8: -127,
  uint8: 255,
  int16: -32767,
  uint16: 65535,
  int32: -2147483647,
  uint32: 4294967295,
  float32: Math.fround(9.969209968386869e36),
  float64: 9.969209968386869e36
}

/** The variable's nodata, scale and offset from its CF attributes. */
export const cfValues = (v: Variable, dtype: string) => {
  const a = v.attributes
  return {
    nodata: num(a.get("_FillValue")) ?? num(a.get("missing_value")) ?? defaultFill[dtype],
    scale: num(a.get("scale_factor")) ?? 1,
    offset: num(a.get("add_offset")) ?? 0
  }
}

/** The grid mapping variable that `grid_mapping` names (same group first, then up), if any. */
export const gridMappingOf = (
  v: Variable,
  all: ReadonlyMap<string, Variable>
): Variable | undefined => {
  const name = str(v.attributes.get("grid_mapping"))?.trim()
  if (name === undefined || name === "") return undefined
  if (name.startsWith("/")) return all.get(name)
  for (let group = parent(v.path); ; group = parent(group)) {
    const found = all.get(`${group}/${name}`)
    if (found !== undefined || group === "") return found
  }
}
