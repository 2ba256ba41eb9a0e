// How documents are named in a source: a file of its own by its path, a document embedded in a
// container file by the file's path and its name inside it.

/** The key of a document in a source: `FILE` or, for an embedded one, `FILE#NAME`. */
export function documentKey(file: string, name?: string): string {
  return name === undefined ? file : `${file}#${name}`
}
