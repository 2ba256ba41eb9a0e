// The RBAC objects of a rendered kustomization (`kubectl kustomize` output), each an embedded
// document named by its identity in the cluster (`ClusterRole/prod-reader`, `Role/ns/name`), so
// that a document is the same whatever the order or the lines of the output. Every position
// inside one is the line, in the kustomization, of the entry (resource, base, component) the
// object came in through, which kustomize's origin annotation names; the annotation itself,
// asked for by the render, is dropped from the object.

import {posix} from 'node:path'
import {escapePointerToken, parseFile} from '../../kernel/parse.js'
import type {ParsedFile, Position} from '../../kernel/types.js'
import type {EmbeddedDocument, Extraction} from '../container.js'

const RBAC_GROUP = 'rbac.authorization.k8s.io/'
const RBAC_KINDS = ['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding']
const NAMESPACED = ['Role', 'RoleBinding']
export const ORIGIN_ANNOTATION = 'config.kubernetes.io/origin'

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

export function extractRendered(kustomization: ParsedFile, rendered: string): Extraction {
  const output = parseFile({path: kustomization.path, content: Buffer.from(rendered, 'utf8')}, 'yaml')
  const objects = Array.isArray(output.value) ? (output.value as unknown[]) : [output.value]
  const dir = posix.dirname(kustomization.path)
  const documents: EmbeddedDocument[] = []
  const seen = new Set<string>()
  for (const object of objects) {
    if (!isRbacObject(object)) continue
    const metadata = isObject(object.metadata) ? object.metadata : {}
    const name = typeof metadata.name === 'string' ? metadata.name : ''
    const namespace = typeof metadata.namespace === 'string' ? metadata.namespace : ''
    const id = NAMESPACED.includes(object.kind as string)
      ? `${String(object.kind)}/${namespace || '(namespace not set)'}/${name}`
      : `${String(object.kind)}/${name}`
    // kustomize refuses two objects of one identity, so this holds only for hand-made output.
    if (seen.has(id)) continue
    seen.add(id)
    const origin = originOf(metadata)
    const at = entryPosition(kustomization, dir, origin) ?? {line: 1, column: 1}
    documents.push({
      kind: 'k8s-rbac',
      name: id,
      value: withoutOrigin(object),
      pointer: `/rendered/${escapePointerToken(id)}`,
      sourceMap: {locate: () => at},
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

/** Where the kustomization lists the resource, base or component the origin file is (or is in). */
function entryPosition(
  kustomization: ParsedFile,
  dir: string,
  origin: string | undefined,
): Position | undefined {
  if (origin === undefined || !isObject(kustomization.value)) return undefined
  const file = posix.normalize(posix.join(dir, origin))
  for (const field of ['resources', 'bases', 'components']) {
    const entries = kustomization.value[field]
    if (!Array.isArray(entries)) continue
    for (const [index, entry] of entries.entries()) {
      if (typeof entry !== 'string') continue
      const target = posix.normalize(posix.join(dir, entry))
      if (file === target || file.startsWith(`${target}/`))
        return kustomization.sourceMap.locate(`/${field}/${index}`)
    }
  }
  return undefined
}
