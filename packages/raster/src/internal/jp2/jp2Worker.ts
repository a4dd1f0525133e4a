// A JPEG 2000 decoder thread: decodes tile jobs with OpenJPEG (tileDecoder.ts) and sends the samples back.
import { parentPort } from "node:worker_threads"
import { decodeTile, type TileJob } from "./tileDecoder.ts"

parentPort?.on("message", (message: { readonly id: number; readonly job: TileJob }) => {
  decodeTile(message.job).then(
    (buffer) => parentPort?.postMessage({ id: message.id, buffer }, [buffer]),
    (error: unknown) =>
      parentPort?.postMessage({
        id: message.id,
        error: error instanceof Error ? error.message : String(error)
      })
  )
})
