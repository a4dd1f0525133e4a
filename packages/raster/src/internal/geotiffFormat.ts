// GeoTIFF/COG (classic and BigTIFF) as a raster format: our own IFD walk first (tiffCheck), geotiff.js for
// the directory, GDAL's reading of the georeferencing (header.ts), and tiles decoded through the shared cache.
import { GeoTIFF } from "geotiff"
import { splitUri, type Format, type Level, type Opened } from "../Format.ts"
import { readHeader } from "./header.ts"
import { checkTiff } from "./tiffCheck.ts"
import { readWindow } from "./tiles.ts"

/** II*\0, MM\0*, and BigTIFF's II+\0, MM\0+. */
const isTiff = (h: Uint8Array): boolean =>
  h.length >= 4 &&
  ((h[0] === 0x49 && h[1] === 0x49 && (h[2] === 42 || h[2] === 43) && h[3] === 0) ||
    (h[0] === 0x4d && h[1] === 0x4d && h[2] === 0 && (h[3] === 42 || h[3] === 43)))

/** The GeoTIFF format. */
export const geotiff: Format = {
  name: "GeoTIFF",
  sniff: (head) => isTiff(head),
  open: async (context): Promise<Opened> => {
    const { bytes, limits, pool, budget, cache, owner } = context
    // geotiff.js loops on a cyclic IFD chain and allocates whatever sizes a header declares.
    await checkTiff(bytes, limits)
    const tiff = await GeoTIFF.fromSource(bytes as never)
    // `#georeferencing=ignore`: open for window reads even without georeferencing (radar GCP images).
    const pixelsOnly = splitUri(context.uri).fragment.get("georeferencing") === "ignore"
    const { images, ...header } = await readHeader(tiff, context.pam, pixelsOnly)
    const levels = images.map((image, i): Level => ({
      width: image.getWidth(),
      height: image.getHeight(),
      read: (window, bands, destination) =>
        readWindow(
          image,
          tiff.littleEndian,
          header.dtype,
          window,
          bands,
          pool,
          budget,
          { cache, owner, image: String(i) },
          destination
        )
    }))
    return { header, levels }
  }
}
