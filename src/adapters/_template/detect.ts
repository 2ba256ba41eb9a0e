// Recognising _template files by content (light: the descriptor in index.ts imports it). The
// marker is a top-level `apiVersion: acldrift.dev/_template/…`; any version is claimed, so that
// the schema, not silence, answers a version acldrift does not know.

const PREFIX = 'acldrift.dev/_template/'

export const detect = (value: unknown): boolean =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as {apiVersion?: unknown}).apiVersion === 'string' &&
  (value as {apiVersion: string}).apiVersion.startsWith(PREFIX)

/** Broken text that carries the marker: it fails closed instead of being skipped. */
export const looksLike = (text: string): boolean =>
  /["']?apiVersion["']?\s*:\s*["']?acldrift\.dev\/_template\//.test(text)
