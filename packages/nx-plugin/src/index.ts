// @eoforge/nx: an nx plugin giving every EOForge recipe in a workspace its dataset targets.
// nx reads `createNodes`/`createNodesV2` by name, so they are exported as they are, next to the modules.
export * as RecipeInputs from "./RecipeInputs.ts"
export * as RecipeTargets from "./RecipeTargets.ts"
export { createNodes, createNodesV2 } from "./Plugin.ts"
