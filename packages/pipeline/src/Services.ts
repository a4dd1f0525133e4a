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
