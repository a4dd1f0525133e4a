// Typed arrays on SharedArrayBuffer: memory V8 does not count as the isolate's external memory, so that a
// filter's large working buffers never trip the external-memory step at which V8 collects the whole heap.

// V8 counts every ArrayBuffer's bytes towards the isolate's external memory and, each time that grows by
// ~64 MiB since the last collection, marks and compacts the whole heap (the caller's millions of patches
// included); a SharedArrayBuffer's bytes are not counted. Nothing here is ever shared with another thread.

/** A zeroed Float64Array of `n` elements outside V8's external-memory accounting. */
export const float64 = (n: number): Float64Array => new Float64Array(new SharedArrayBuffer(8 * n))

/** A zeroed Float32Array of `n` elements outside V8's external-memory accounting. */
export const float32 = (n: number): Float32Array => new Float32Array(new SharedArrayBuffer(4 * n))

/** A zeroed Int32Array of `n` elements outside V8's external-memory accounting. */
export const int32 = (n: number): Int32Array => new Int32Array(new SharedArrayBuffer(4 * n))

/** A zeroed buffer of `bytes` outside V8's external-memory accounting, for several views. */
export const buffer = (bytes: number): SharedArrayBuffer => new SharedArrayBuffer(bytes)
