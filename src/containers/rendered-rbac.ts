// The RBAC objects of rendered manifests (`kubectl kustomize` or `helm template` output), shared
// by the formats that render: each object an embedded document named by its identity in the
// cluster (`ClusterRole/prod-reader`, `Role/ns/name`), so that a document is the same whatever the
// order or the lines of the output. Positions inside one are where the format says the object
// comes from in the file rendered (for an overlay, the entry it came in through, which
// kustomize's origin annotation names, and where each part is written in the files it reads);
// the annotation itself, asked for by the render, is dropped from the object.

import {escapePointerToken, parseFile} from '../kernel/parse.js'
import type {ParsedFile, SourceMap} from '../kernel/types.js'
import type {EmbeddedDocument, Extraction} from './container.js'

export const RBAC_API_GROUP = 'rbac.authorization.k8s.io'
const RBAC_GROUP = `${RBAC_API_GROUP}/`
const RBAC_KINDS = ['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding']
const NAMESPACED = ['Role', 'RoleBinding']
export const ORIGIN_ANNOTATION = 'config.kubernetes.io/origin'

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

/**
 * Where the parts of a rendered object are, given the object (its origin annotation dropped), the
 * file that annotation names (if any) and the line the object starts at in the rendered output:
 * positions in the file rendered.
 */
export type LocateRendered = (
  object: Record<string, unknown>,
  origin: string | undefined,
  renderedLine: number,
) => SourceMap

/** The RBAC objects of `rendered`, as documents of the file rendered, each located by `locate`. */
export function renderedRbac(file: ParsedFile, rendered: string, locate: LocateRendered): Extraction {
  const output = parseFile({path: file.path, content: Buffer.from(rendered, 'utf8')}, 'yaml')
  const several = Array.isArray(output.value)
  const objects = several ? (output.value as unknown[]) : [output.value]
  const documents: EmbeddedDocument[] = []
  const seen = new Map<string, number>()
  for (const [index, object] of objects.entries()) {
    if (!isRbacObject(object)) continue
    const metadata = isObject(object.metadata) ? object.metadata : {}
    const name = typeof metadata.name === 'string' ? metadata.name : ''
    const namespace = typeof metadata.namespace === 'string' ? metadata.namespace : ''
    const id = NAMESPACED.includes(object.kind as string)
      ? `${String(object.kind)}/${namespace || '(namespace not set)'}/${name}`
      : `${String(object.kind)}/${name}`
    // Two objects of one identity (helm does not refuse them, kustomize does): both are read,
    // the second named by its rank, and the comparison combines them as definitions of one object.
    const rank = (seen.get(id) ?? 0) + 1
    seen.set(id, rank)
    const documentName = rank === 1 ? id : `${id} (${rank})`
    const value = withoutOrigin(object)
    const start = output.sourceMap.locate(several ? `/${index}` : '')?.line ?? 1
    const located = locate(value, originOf(metadata), start)
    documents.push({
      kind: 'k8s-rbac',
      name: documentName,
      value,
      pointer: `/rendered/${escapePointerToken(documentName)}`,
      sourceMap: {locate: (pointer) => located.locate(pointer) ?? {line: 1, column: 1}},
    })
  }
  return {documents, notes: [], problems: []}
}

const isRbacObject = (v: unknown): v is Record<string, unknown> =>
  isObject(v) &&
  RBAC_KINDS.includes(v.kind as string) &&
  typeof v.apiVersion === 'string' &&
  v.apiVersion.startsWith(RBAC_GROUP)

/** The file the object came from, relative to the kustomization's folder (the origin annotation's `path`). */
function originOf(metadata: Record<string, unknown>): string | undefined {
  const annotations = isObject(metadata.annotations) ? metadata.annotations : {}
  const text = annotations[ORIGIN_ANNOTATION]
  if (typeof text !== 'string') return undefined
  return /^path:\s*(.+)$/m
    .exec(text)?.[1]
    ?.trim()
    .replace(/^["']|["']$/g, '')
}

function withoutOrigin(object: Record<string, unknown>): Record<string, unknown> {
  const metadata = isObject(object.metadata) ? {...object.metadata} : undefined
  if (
    metadata === undefined ||
    !isObject(metadata.annotations) ||
    !(ORIGIN_ANNOTATION in metadata.annotations)
  )
    return object
  const annotations = {...metadata.annotations}
  delete annotations[ORIGIN_ANNOTATION]
  if (Object.keys(annotations).length > 0) metadata.annotations = annotations
  else delete metadata.annotations
  return {...object, metadata}
}
