// The Earth Engine double in a process of its own, serving the synthetic collection TEST/S2, so that rate
// measurements are not skewed by the client's event loop. Options as JSON in argv[2]; prints its URL.
// Run: node --conditions=@eoforge/source tools/earthengine-double/main.ts '{"project":"p","perSecond":20}'
import * as Double from "./server.ts"
import * as Synthetic from "./synthetic.ts"

const options = JSON.parse(process.argv[2] ?? "{}") as {
  project: string
  tokens?: Record<string, number>
  perSecond?: number
  concurrency?: number
}
const double = await Double.start({
  project: options.project,
  staticTokens: options.tokens ?? {},
  collections: { "TEST/S2": Synthetic.collection },
  ...(options.perSecond === undefined ? {} : { perSecond: options.perSecond }),
  ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency })
})
process.stdout.write(`${JSON.stringify({ url: double.url })}\n`)
// On any line from stdin: print what the double saw and exit.
process.stdin.once("data", () => {
  process.stdout.write(`${JSON.stringify({ requests: double.requests })}\n`)
  void double.close().then(() => process.exit(0))
})
