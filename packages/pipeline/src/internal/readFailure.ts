// The reason code of a raster that cannot be opened or read: files EOForge can never read, or may not read,
// are Unsupported (a retry cannot help), missing credentials AccessDenied, the rest ReadFailed (transient).
import { Reason } from "@eoforge/core"
import type { RasterError } from "@eoforge/raster"

const never = new Set([
  "Refused",
  "NotTiff",
  "NoGeoreferencing",
  "UnsupportedCodec",
  "UnsupportedCrs",
  "Malformed",
  "TooLarge"
])

/** The reason code of an open or read failure. */
export const reasonOfReadError = (
  e: RasterError.RasterOpenError | RasterError.RasterReadError
): Reason.Reason =>
  e._tag === "RasterOpenError" && e.problem === "Denied"
    ? Reason.Reason.AccessDenied
    : e._tag === "RasterOpenError" && never.has(e.problem)
      ? Reason.Reason.Unsupported
      : Reason.Reason.ReadFailed
