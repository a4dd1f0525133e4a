// Global setup of the packaging tests: build what is stale, pack every package once, and serve the
// tarballs as the @eoforge scope of a local registry (third-party packages come from the npm registry).
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import type { TestProject } from "vitest/node"
import { packAll } from "../pack.ts"
import { serve, type Packed } from "../registry.ts"

declare module "vitest" {
  export interface ProvidedContext {
    readonly packed: ReadonlyArray<Packed>
    readonly registry: string
    readonly packSeconds: number
  }
}

let cleanup: (() => Promise<void>) | undefined

/** Pack and serve; the tests read `packed` and `registry` with `inject`. */
export const setup = async (project: TestProject): Promise<void> => {
  const dir = mkdtempSync(join(tmpdir(), "eoforge-pack-"))
  const t0 = performance.now()
  const packed = packAll(dir)
  const packSeconds = (performance.now() - t0) / 1000
  const registry = await serve(packed)
  project.provide("packed", packed)
  project.provide("registry", registry.url)
  project.provide("packSeconds", packSeconds)
  cleanup = async () => {
    await registry.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

/** Stop the registry and remove the tarballs. */
export const teardown = async (): Promise<void> => {
  await cleanup?.()
}
