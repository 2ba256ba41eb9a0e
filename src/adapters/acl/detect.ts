// Recognising acldrift ACL files by content (light: the descriptor in index.ts imports it). The
// marker is a top-level `apiVersion: acldrift.dev/acl/…`; any version is claimed, so that the
// schema, not silence, answers a version acldrift does not know. A YAML stream with the marker
// in one of its documents is claimed too (the schema then says a file is one object).

const PREFIX = 'acldrift.dev/acl/'

export const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

const marked = (v: unknown) =>
  isObject(v) && typeof v.apiVersion === 'string' && v.apiVersion.startsWith(PREFIX)

export const detect = (value: unknown): boolean =>
  marked(value) || (Array.isArray(value) && value.some(marked))

/** Broken text that carries the marker: it fails closed instead of being skipped. */
export const looksLike = (text: string): boolean =>
  /["']?apiVersion["']?\s*:\s*["']?acldrift\.dev\/acl\//.test(text)
