// The EOForge version written into every store's root attributes.
// Kept in step with the packages' package.json versions.

/** The EOForge version. */
export const version = "0.1.0"
