// Loaded first in a decoder thread: geotiff.js's `web-worker` dependency takes any non-main thread for one
// of its own workers unless a global Worker exists, so a placeholder is set before geotiff.js is imported.
const scope = globalThis as { Worker?: unknown }
if (typeof scope.Worker !== "function")
  scope.Worker = function Worker() {
    throw new Error("no nested workers in a decoder thread")
  }
