// Reading a pixel window of selected bands by decoding each covering tile (or strip) once, through the layer's
// tile cache, and copying it with typed-array loops; geotiff.js's readRasters is the fallback for odd layouts.
import { DType } from "@eoforge/core"
import { getDecoder, type GeoTIFFImage, type Pool } from "geotiff"
import type { TileCache } from "./tileCache.ts"

/** Where decoded tiles of one image are cached: the layer's cache, the source's id and the image's key. */
export interface TileCacheSlot {
  readonly cache: TileCache
  readonly owner: number
  readonly image: string
}

type Decoder = { decode: (buffer: ArrayBufferLike) => Promise<ArrayBufferLike> }

const decoderFor = async (image: GeoTIFFImage, pool: Pool | undefined): Promise<Decoder> => {
  const fd = image.getFileDirectory()
  const compression = Number(fd.getValue("Compression") ?? 1)
  const parameters = {
    tileWidth: image.getTileWidth(),
    tileHeight: image.getTileHeight(),
    planarConfiguration: image.planarConfiguration,
    bitsPerSample: (await fd.loadValue("BitsPerSample")) as never,
    predictor: Number((await fd.loadValue("Predictor")) ?? 1)
  }
  return pool !== undefined
    ? pool.bindParameters(compression, parameters)
    : ((await getDecoder(compression, parameters)) as unknown as Decoder)
}

/** Band arrays of the window [x0, x1) × [y0, y1) of `image` for the 0-based `samples`. */
export const readWindow = async (
  image: GeoTIFFImage,
  littleEndian: boolean,
  dtype: DType.DType,
  window: readonly [number, number, number, number],
  samples: ReadonlyArray<number>,
  pool: Pool | undefined,
  slot?: TileCacheSlot | undefined
): Promise<ReadonlyArray<DType.TypedArray>> => {
  const [x0, y0, x1, y1] = window
  const spp = image.getSamplesPerPixel()
  const size = DType.byteSize(dtype)
  const uniform = Array.from({ length: spp }, (_, s) => image.getBitsPerSample(s)).every(
    (b) => b === size * 8
  )
  if (!littleEndian || !uniform) {
    return (await image.readRasters({
      window: [x0, y0, x1, y1],
      samples: [...samples],
      interleave: false,
      pool: pool ?? null
    })) as unknown as ReadonlyArray<DType.TypedArray>
  }
  const ww = x1 - x0
  const wh = y1 - y0
  const out = samples.map(() => DType.alloc(dtype, ww * wh))
  const decoder = await decoderFor(image, pool)
  const tw = image.getTileWidth()
  const th = image.getTileHeight()
  const planar = image.planarConfiguration === 2
  const Tile = DType.alloc(dtype, 0).constructor as new (b: ArrayBufferLike) => DType.TypedArray
  const jobs: Array<Promise<void>> = []
  for (let ty = Math.floor(y0 / th); ty <= Math.floor((y1 - 1) / th); ty++) {
    for (let tx = Math.floor(x0 / tw); tx <= Math.floor((x1 - 1) / tw); tx++) {
      const targets = planar ? samples.map((s, i) => [s, i] as const) : [[0, -1] as const]
      for (const [sample, index] of targets) {
        jobs.push(
          (slot === undefined
            ? image.getTileOrStrip(tx, ty, sample, decoder as never).then((t) => t.data)
            : slot.cache.get(slot.owner, `${slot.owner}/${slot.image}/${tx}/${ty}/${sample}`, () =>
                image.getTileOrStrip(tx, ty, sample, decoder as never).then((t) => t.data)
              )
          ).then((data) => {
            const values = new Tile(data)
            const r0 = Math.max(y0, ty * th)
            const r1 = Math.min(y1, (ty + 1) * th)
            const c0 = Math.max(x0, tx * tw)
            const c1 = Math.min(x1, (tx + 1) * tw)
            const stride = planar ? 1 : spp
            for (let r = r0; r < r1; r++) {
              const rowIn = (r - ty * th) * tw
              const rowOut = (r - y0) * ww - x0
              if (planar) {
                const dst = out[index]
                for (let c = c0; c < c1; c++) dst[rowOut + c] = values[rowIn + c - tx * tw]
              } else {
                for (let i = 0; i < samples.length; i++) {
                  const dst = out[i]
                  const s = samples[i]
                  for (let c = c0; c < c1; c++)
                    dst[rowOut + c] = values[(rowIn + c - tx * tw) * stride + s]
                }
              }
            }
          })
        )
      }
    }
  }
  await Promise.all(jobs)
  return out
}
