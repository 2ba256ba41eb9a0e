// acldrift's own snapshot (`acldrift snapshot`, the baseline file) as a container: it holds
// documents of every kind, each named by the path it was read from. The gate compares two
// versions of the baseline file through this format, so that a baseline that now accepts new
// access is reported at the snapshot file's line, naming the document.

import {type ContainerFormat, type EmbeddedDocument, mapInside} from '../container.js'
import type {Kind, Origin, ParsedFile} from '../../kernel/types.js'

/** A snapshot's documents, as its schema (schemas/snapshot.schema.json) describes them. */
interface SnapshotDocument {
  path: string
  kind: Kind
  hash: string
  value: unknown
  origin?: Origin
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

export const snapshot: ContainerFormat = {
  format: 'snapshot',
  scan: false,
  candidates: [{extensions: ['json'], ignoreCase: true}],
  detect: ({value}) =>
    isObject(value) &&
    value.schemaVersion === 1 &&
    isObject(value.tool) &&
    value.tool.name === 'acldrift' &&
    Array.isArray(value.documents),
  // The caller validated the file against the snapshot schema: every entry has its fields.
  extract: async (parsed: ParsedFile) => ({
    documents: ((parsed.value as {documents: SnapshotDocument[]}).documents ?? []).map(
      (d, index): EmbeddedDocument => ({
        kind: d.kind,
        name: d.path,
        value: d.value,
        pointer: `/documents/${index}/value`,
        sourceMap: mapInside(parsed.sourceMap, `/documents/${index}/value`),
        ...(d.origin === undefined ? {} : {origin: d.origin}),
      }),
    ),
    notes: [],
    problems: [],
  }),
}
