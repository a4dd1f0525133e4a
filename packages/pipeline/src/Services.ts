// The I/O services a build needs, bundled: GeoTIFF/COG reading, STAC search and asset signing.
// The CLI provides `layer`; tests may provide their own pieces.
import { RasterSource } from "@eoforge/raster"
import { AssetSigner, StacClient } from "@eoforge/stac"
import { Layer } from "effect"

/** Local files and HTTP(S) COGs, STAC APIs and static catalogues, no asset signing. */
export const layer = Layer.mergeAll(
  RasterSource.layerGeoTiff,
  StacClient.layer,
  AssetSigner.layerNone
)

/** As `layer`, with Planetary Computer SAS signing of Azure Blob asset URLs. */
export const layerPlanetaryComputer = Layer.mergeAll(
  RasterSource.layerGeoTiff,
  StacClient.layer,
  AssetSigner.layerPlanetaryComputer()
)

/**
 * GeoTIFF/COG reading with `decoderThreads` decoder threads, to provide over `layer`'s: with 0, DEFLATE tiles
 * inflate on Node's thread pool (only the rows a read needs, from only the bytes they need) and other codecs
 * on the calling thread.
 */
export const layerRaster = (options: {
  readonly decoderThreads: number
}): Layer.Layer<RasterSource.RasterSource> =>
  RasterSource.layerGeoTiffWith({ workers: options.decoderThreads })
