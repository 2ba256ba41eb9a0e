// kustomize overlays as a container format: a kustomization (`kustomization.yaml`,
// `kustomization.yml`, `Kustomization`) stands for the manifests `kubectl kustomize` renders from
// it, and its documents are the RBAC objects of that output, compared under k8s-rbac. The
// pipeline runs kubectl (src/tools/) on a copy of exactly the files the kustomization reads
// (inputs.ts), offline; a remote base is not read, and says so. A change to any of those files
// (a patch, a base's resource) re-renders the overlay; an overlay whose inputs name no RBAC
// object is not rendered at all (rbac-free.ts). The descriptor is light.
// https://kubectl.docs.kubernetes.io/references/kustomize/kustomization/

import {posix} from 'node:path'
import type {ContainerFormat, SourceFiles} from '../container.js'
import {parseFile} from '../../kernel/parse.js'
import {type Inputs, isKustomization, KUSTOMIZATION_NAMES, kustomizationInputs} from './inputs.js'
import {mayRenderRbac} from './rbac-free.js'

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

/** Fields only a kustomization has (a `Kustomization` or `Component` need not declare its kind). */
const FIELDS =
  /^(resources|bases|components|patches|patchesStrategicMerge|patchesJson6902|namePrefix|nameSuffix|namespace|commonLabels|labels|commonAnnotations|configMapGenerator|secretGenerator|images|replicas|replacements|generators|transformers|helmCharts|crds)$/

export const kustomize: ContainerFormat = {
  format: 'kustomize',
  scan: true,
  candidates: [{names: KUSTOMIZATION_NAMES}],
  looksLike: (text) => /^(resources|bases|components|patches)\s*:/m.test(text),
  detect: (parsed) =>
    isObject(parsed.value) &&
    (parsed.value.kind === 'Kustomization' ||
      parsed.value.kind === 'Component' ||
      Object.keys(parsed.value).some((key) => FIELDS.test(key))),
  render: async (parsed, source) => {
    if (source === undefined) return {notRead: 'the files of the overlay are not available here'}
    const inputs = await kustomizationInputs(parsed.path, parsed.value, source)
    if (inputs.unreadable.length > 0) return {notRead: inputs.unreadable.join('; ')}
    const files = new Map(await source.read([...inputs.files]))
    // An overlay whose inputs spell no RBAC object renders none: kubectl is not run for it.
    if (mayRenderRbac(inputs, files) === undefined) return {output: ''}
    // The copy asks kustomize to annotate each object with the file it came from (extract.ts).
    const value = parsed.value as Record<string, unknown>
    const metadata = Array.isArray(value.buildMetadata) ? (value.buildMetadata as unknown[]) : []
    const annotated = {...value, buildMetadata: [...new Set([...metadata, 'originAnnotations'])]}
    files.set(parsed.path, Buffer.from(JSON.stringify(annotated), 'utf8'))
    const dir = posix.dirname(parsed.path)
    return {tool: 'kubectl', args: ['kustomize', dir === '' ? '.' : dir], files}
  },
  extract: async (parsed, source, rendered) => {
    if (rendered === undefined || source === undefined)
      throw new Error('internal: a kustomization is read through its render')
    const [{renderedRbac}, {overlayLocator}] = await Promise.all([
      import('../rendered-rbac.js'),
      import('./origin.js'),
    ])
    return renderedRbac(parsed, rendered, await overlayLocator(parsed, source))
  },
  // The overlays whose render reads a changed file, or a file that is missing. Only kustomization
  // files are read here, and only when a changed path can be read by a render at all.
  dependents: async (changed, source) => {
    const readable = await renderReadable(changed, source)
    return readable.length === 0 ? new Map() : readersOf(readable, source)
  },
  // Every file some kustomization of the source names as a patch.
  fragments: async (source) =>
    new Set([...(await everyKustomization(source)).values()].flatMap((inputs) => [...inputs.patches])),
}

/** For each of `changed`, the overlays whose inputs name it, or miss a file (kustomize decides): every kustomization read. */
export async function readersOf(
  changed: readonly string[],
  source: SourceFiles,
): Promise<Map<string, string[]>> {
  const overlays = await everyKustomization(source)
  const out = new Map<string, string[]>()
  for (const c of changed) {
    const readers = [...overlays]
      // One that reads a file gone from the source (or never there) is read again: kustomize decides.
      .filter(([, {files, missing}]) => missing.length > 0 || files.has(c))
      .map(([path]) => path)
    if (readers.length > 0) out.set(c, readers)
  }
  return out
}

/**
 * Those of `paths` a render can read: kustomization files, and files in or below the folder of a
 * kustomization. kustomize (kubectl's, whose load restrictor is LoadRestrictionsRootOnly by
 * default) reads another folder only as a kustomization of its own, and a data file (a resource,
 * a patch, a generator's file) only in or below the folder of the kustomization that names it:
 * a render that names any other file fails whatever the file holds ("security; file … is not in
 * or below …"), so no other file is worth reading any overlay again for. Found from the source's
 * listing alone: a commit that changes only a policy file beside no kustomization reads none.
 * https://kubectl.docs.kubernetes.io/faq/ (security: file 'foo' is not in or below 'bar')
 */
export async function renderReadable(paths: readonly string[], source: SourceFiles): Promise<string[]> {
  if (paths.every(isKustomization)) return [...paths]
  const folders = new Set((await source.paths()).filter(isKustomization).map((path) => posix.dirname(path)))
  const underOne = (path: string) => {
    for (let dir = posix.dirname(path); ; dir = posix.dirname(dir)) {
      if (folders.has(dir)) return true
      if (dir === '.' || dir === '/') return false
    }
  }
  return paths.filter((path) => isKustomization(path) || underOne(path))
}

/** The inputs of every kustomization of the source that parses (one that does not is reported where it is read). */
async function everyKustomization(source: SourceFiles): Promise<Map<string, Inputs>> {
  const overlays = (await source.paths()).filter(isKustomization)
  const out = new Map<string, Inputs>()
  if (overlays.length === 0) return out
  for (const [path, content] of await source.read(overlays)) {
    let value: unknown
    try {
      value = parseFile({path, content}, 'yaml').value
    } catch {
      continue
    }
    out.set(path, await kustomizationInputs(path, value, source))
  }
  return out
}
