// A module loaded on first use, its promise kept. `import()` of a module already loaded still
// resolves its specifier and looks its job up (~10 µs each time): a descriptor's lazy method
// asked once per file or per version (a scanned file, each version semantic blame asks about)
// pays that thousands of times in an audit.

/** The module `load` imports, loaded once: `load` holds a literal `import()`, which bundlers follow. */
export function lazyModule<T>(load: () => Promise<T>): () => Promise<T> {
  let module: Promise<T> | undefined
  return () => {
    if (module === undefined) {
      module = load()
      // A failed load is tried again by the next caller, as a bare import() would be.
      module.catch(() => (module = undefined))
    }
    return module
  }
}
