// Whether an overlay's render can hold an RBAC object, decided from its inputs without running
// kubectl: an object is RBAC only with an apiVersion in rbac.authorization.k8s.io, and the
// transformations read here (name prefixes, labels, namespaces, patches, ConfigMap and Secret
// generators) copy values of the inputs whole, never spell a new one. So an overlay none of whose
// inputs holds that group anywhere renders no RBAC, and is not rendered. Anything else is doubt
// and is rendered: a field not modelled here (replacements, vars, plugins, `configurations` that
// point transformers at other fields), an input that is missing or does not parse, a string that
// kustomize would decode further (an inline patch with escapes or tags).
// https://kubectl.docs.kubernetes.io/references/kustomize/kustomization/

import {parseFile} from '../../kernel/parse.js'
import {RBAC_API_GROUP} from '../rendered-rbac.js'
import type {Inputs} from './inputs.js'

/** The kustomization fields that can only move, rename, label or patch values the inputs spell. */
const MODELLED = new Set([
  'apiVersion',
  'kind',
  'metadata',
  'resources',
  'bases',
  'components',
  'patches',
  'patchesStrategicMerge',
  'patchesJson6902',
  'namePrefix',
  'nameSuffix',
  'namespace',
  'commonLabels',
  'labels',
  'commonAnnotations',
  'images',
  'replicas',
  'configMapGenerator',
  'secretGenerator',
  'generatorOptions',
  'buildMetadata',
  'sortOptions',
  'openapi',
])

/**
 * Why the render of an overlay with these inputs may hold an RBAC object (undefined: it cannot).
 * `contents`: the inputs' files, as read from the source.
 */
export function mayRenderRbac(inputs: Inputs, contents: ReadonlyMap<string, Buffer>): string | undefined {
  for (const [file, kustomization] of inputs.kustomizations) {
    const unmodelled = Object.keys(kustomization).find((key) => !MODELLED.has(key))
    if (unmodelled !== undefined) return `${file} uses \`${unmodelled}\``
  }
  if (inputs.missing.length > 0) return `missing: ${inputs.missing.join(', ')}`
  for (const file of inputs.files) {
    // A generator's files become a ConfigMap's or Secret's data, whatever they say.
    if (inputs.generatorData.has(file)) continue
    const content = contents.get(file)
    if (content === undefined) return `${file} is not readable`
    let value: unknown
    try {
      value = parseFile({path: file, content}, 'yaml').value
    } catch {
      return `${file} does not parse`
    }
    const why = spelled(value)
    if (why !== undefined) return `${file} ${why}`
  }
  return undefined
}

/** Whether a parsed value spells the RBAC group, in a key or a string, or may once kustomize decodes a string. */
function spelled(value: unknown): string | undefined {
  if (typeof value === 'string') {
    if (value.includes(RBAC_API_GROUP)) return `names ${RBAC_API_GROUP}`
    // Inline YAML (a patch) whose escapes or tags kustomize would decode: read it as kustomize does.
    if (!/[\\!]/.test(value)) return undefined
    try {
      return spelled(parseFile({path: 'inline.yaml', content: Buffer.from(value, 'utf8')}, 'yaml').value)
    } catch {
      return 'holds a string kustomize may decode'
    }
  }
  if (Array.isArray(value)) {
    for (const item of value) {
      const why = spelled(item)
      if (why !== undefined) return why
    }
    return undefined
  }
  if (typeof value === 'object' && value !== null)
    for (const [key, item] of Object.entries(value)) {
      const why = spelled(key) ?? spelled(item)
      if (why !== undefined) return why
    }
  return undefined
}
