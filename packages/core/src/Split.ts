// Split codes as stored in `samples/split` (uint8).
// Guard marks samples in the buffer between two different splits: they belong to no split.

/** Split codes by name. */
export const Split = { train: 0, val: 1, test: 2, guard: 255 } as const
/** A split code. */
export type Split = (typeof Split)[keyof typeof Split]
/** A split name. */
export type SplitName = keyof typeof Split

/** The name of a split code. */
export const name = (code: number): SplitName =>
  code === 0 ? "train" : code === 1 ? "val" : code === 2 ? "test" : "guard"
