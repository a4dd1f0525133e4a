// Pixel data types shared by rasters, chips and the store, named as in Zarr v3.
// Each maps to one JavaScript typed array.
import { Schema } from "effect"

/** Schema of a pixel data type. */
export const DType = Schema.Literals([
  "uint8",
  "int8",
  "uint16",
  "int16",
  "uint32",
  "int32",
  "float32",
  "float64"
])
/** A pixel data type. */
export type DType = typeof DType.Type

/** A typed array holding pixels of some DType. */
export type TypedArray =
  | Uint8Array
  | Int8Array
  | Uint16Array
  | Int16Array
  | Uint32Array
  | Int32Array
  | Float32Array
  | Float64Array

const constructors = {
  uint8: Uint8Array,
  int8: Int8Array,
  uint16: Uint16Array,
  int16: Int16Array,
  uint32: Uint32Array,
  int32: Int32Array,
  float32: Float32Array,
  float64: Float64Array
} as const

/** Bytes per value. */
export const byteSize = (dtype: DType): number => constructors[dtype].BYTES_PER_ELEMENT

/** A zero-filled typed array of `length` values. */
export const alloc = (dtype: DType, length: number): TypedArray => new constructors[dtype](length)

/** Whether the dtype holds floating-point values. */
export const isFloat = (dtype: DType): boolean => dtype === "float32" || dtype === "float64"

/** The dtype of a typed array. */
export const of = (array: TypedArray): DType => {
  for (const [name, ctor] of Object.entries(constructors)) {
    if (array instanceof ctor) return name as DType
  }
  throw new TypeError("not a pixel typed array")
}

/** The [min, max] range of values an integer dtype can hold (±Infinity for floats). */
export const range = (dtype: DType): readonly [number, number] => {
  switch (dtype) {
    case "uint8":
      return [0, 255]
    case "int8":
      return [-128, 127]
    case "uint16":
      return [0, 65535]
    case "int16":
      return [-32768, 32767]
    case "uint32":
      return [0, 4294967295]
    case "int32":
      return [-2147483648, 2147483647]
    default:
      return [-Infinity, Infinity]
  }
}
