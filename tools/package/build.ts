// Build every package to ES modules + declaration files (dist/), in dependency order, in one process.
// Usage: npx node tools/package/build.ts [folder…]   (npm run build); see README "Packaging".
import { spawnSync } from "node:child_process"
import { existsSync, utimesSync } from "node:fs"
import { join } from "node:path"
import ts from "typescript"
import { inOrder, root } from "./packages.ts"

const only = process.argv.slice(2)
// Every package's program reads the same library declarations (effect's above all): parse them once.
const parsedFiles = new Map<string, ts.SourceFile>()
const started = performance.now()
let failed = false
for (const pkg of inOrder()) {
  if (only.length > 0 && !only.includes(pkg.folder)) continue
  const t0 = performance.now()
  const configFile = join(pkg.dir, "tsconfig.lib.json")
  const parsed = ts.getParsedCommandLineOfConfigFile(
    configFile,
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, "\n"))
      }
    }
  )!
  const host = ts.createIncrementalCompilerHost(parsed.options)
  const read = host.getSourceFile
  host.getSourceFile = (fileName, language, onError, fresh) => {
    const key = `${fileName}\0${JSON.stringify(language)}`
    const cached = fresh ? undefined : parsedFiles.get(key)
    if (cached !== undefined) return cached
    const file = read.call(host, fileName, language, onError, fresh)
    if (file !== undefined && fileName.endsWith(".d.ts")) parsedFiles.set(key, file)
    return file
  }
  const program = ts.createIncrementalProgram({
    rootNames: parsed.fileNames,
    options: parsed.options,
    host,
    configFileParsingDiagnostics: parsed.errors
  })
  // The builder's own diagnostics reuse the previous build's results for unchanged files.
  const diagnostics = [
    ...program.getConfigFileParsingDiagnostics(),
    ...program.getOptionsDiagnostics(),
    ...program.getGlobalDiagnostics(),
    ...program.getSyntacticDiagnostics(),
    ...program.getSemanticDiagnostics()
  ]
  if (diagnostics.length === 0) diagnostics.push(...program.emit().diagnostics)
  if (diagnostics.length > 0) {
    failed = true
    process.stderr.write(
      ts.formatDiagnosticsWithColorAndContext(diagnostics, {
        getCanonicalFileName: (f) => f,
        getCurrentDirectory: () => root,
        getNewLine: () => "\n"
      })
    )
    break
  }
  if (pkg.folder === "pipeline") {
    const assets = spawnSync(process.execPath, [join(root, "tools/package/pipeline-assets.ts")], {
      stdio: "inherit"
    })
    if (assets.status !== 0) {
      failed = true
      break
    }
  }
  // Marks the build as newer than the sources even when nothing had to be emitted (see pack.ts `stale`).
  const info = parsed.options.tsBuildInfoFile
  if (info !== undefined && existsSync(info)) utimesSync(info, new Date(), new Date())
  console.log(`built ${pkg.name} in ${Math.round(performance.now() - t0)} ms`)
}
console.log(`${failed ? "build failed" : "built"} in ${Math.round(performance.now() - started)} ms`)
process.exitCode = failed ? 1 : 0
