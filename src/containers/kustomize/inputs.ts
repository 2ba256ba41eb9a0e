// The files a kustomization reads, found without running kustomize: its resources, bases and
// components (a file, or a folder with a kustomization of its own, read in turn), its patches
// (`patches`, `patchesStrategicMerge`, `patchesJson6902`), replacements, generators' files,
// transformers, CRDs and configurations. The pipeline copies exactly these files for the render,
// and the pre-commit hook re-renders an overlay when one of them changes.
// https://kubectl.docs.kubernetes.io/references/kustomize/kustomization/

import {posix} from 'node:path'
import {parseFile} from '../../kernel/parse.js'
import type {SourceFiles} from '../container.js'

/** The names kustomize looks for in a folder, in its order. */
export const KUSTOMIZATION_NAMES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'] as const

export const isKustomization = (path: string): boolean =>
  (KUSTOMIZATION_NAMES as readonly string[]).includes(posix.basename(path))

export interface Inputs {
  /** every file the render reads (the kustomization files included) */
  files: Set<string>
  /** why the overlay cannot be rendered here, if it cannot (a remote base, a path out of the repository) */
  unreadable: string[]
  /** every kustomization read (the overlay's own, its bases' and components'), parsed */
  kustomizations: Map<string, Record<string, unknown>>
  /** files read only as the data of a ConfigMap or Secret generator */
  generatorData: Set<string>
  /** files read as patches of other objects (`patches`, `patchesStrategicMerge`, `patchesJson6902`) */
  patches: Set<string>
  /** entries that name no file the source holds (kustomize reports them when rendering) */
  missing: string[]
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

const strings = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []

/**
 * A remote target (a git repository or an HTTP URL), as kustomize's loader recognises them:
 * `https://…`, `git@…`, `ssh://…`, `github.com/owner/repo//path?ref=…`.
 */
export const isRemote = (entry: string): boolean =>
  /^[a-z][a-z0-9+.-]*:\/\//i.test(entry) ||
  /^git@/.test(entry) ||
  /^(github\.com|gitlab\.com|bitbucket\.org)\//.test(entry) ||
  /\?(.*&)?(ref|version|submodules|timeout)=/.test(entry)

/** An entry that is YAML written inline (a patch or a generator), not a path. */
const isInline = (entry: string) => entry.includes('\n')

/** Fields whose entries are paths of files or folders (each folder a kustomization). */
const TARGETS = ['resources', 'bases', 'components'] as const
/** Fields whose entries are file paths, or inline YAML. */
const FILE_LISTS = ['crds', 'configurations'] as const
/** Fields whose entries are a file, a folder (a kustomization) or inline YAML. */
const PLUGINS = ['generators', 'transformers', 'validators'] as const

/** A source's paths as a set, made once per source (every kustomization of the source asks). */
const pathSets = new WeakMap<SourceFiles, Promise<ReadonlySet<string>>>()
function pathSet(source: SourceFiles): Promise<ReadonlySet<string>> {
  let set = pathSets.get(source)
  if (set === undefined) pathSets.set(source, (set = source.paths().then((paths) => new Set(paths))))
  return set
}

/** The files the kustomization at `path` reads, and why it cannot be rendered offline, if it cannot. */
export async function kustomizationInputs(
  path: string,
  value: unknown,
  source: SourceFiles,
): Promise<Inputs> {
  const all = await pathSet(source)
  const inputs: Inputs = {
    files: new Set([path]),
    unreadable: [],
    kustomizations: new Map(),
    generatorData: new Set(),
    patches: new Set(),
    missing: [],
  }
  const visited = new Set<string>()
  /** files read as something other than a generator's data (a resource, a patch) */
  const structural = new Set<string>()

  const visit = async (file: string, kustomization: unknown) => {
    if (visited.has(file)) return
    visited.add(file)
    if (!isObject(kustomization)) return
    inputs.kustomizations.set(file, kustomization)
    const dir = posix.dirname(file)
    const resolve = (entry: string): string | undefined => {
      const joined = posix.normalize(posix.join(dir, entry))
      if (joined === '..' || joined.startsWith('../') || posix.isAbsolute(entry)) {
        inputs.unreadable.push(`${file}: \`${entry}\` is outside the repository`)
        return undefined
      }
      return joined === '.' ? '' : joined
    }
    const addFile = (entry: string, as: 'structural' | 'generator' | 'patch' = 'structural') => {
      if (isInline(entry)) return
      const at = resolve(entry)
      if (at === undefined) return
      inputs.files.add(at)
      ;(as === 'generator' ? inputs.generatorData : structural).add(at)
      if (as === 'patch') inputs.patches.add(at)
    }
    const addTarget = async (field: string, entry: string) => {
      if (isInline(entry)) return
      if (isRemote(entry)) {
        inputs.unreadable.push(
          `${file}: ${field} \`${entry}\` is remote (not fetched: acldrift renders offline)`,
        )
        return
      }
      const at = resolve(entry)
      if (at === undefined) return
      if (all.has(at)) {
        inputs.files.add(at)
        structural.add(at)
        return
      }
      // A folder: its kustomization, read in turn. A path that is neither is left to kustomize to report.
      const inner = KUSTOMIZATION_NAMES.map((name) => (at === '' ? name : `${at}/${name}`)).find((p) =>
        all.has(p),
      )
      if (inner === undefined) {
        inputs.missing.push(`${file}: ${field} \`${entry}\``)
        return
      }
      inputs.files.add(inner)
      const content = (await source.read([inner])).get(inner)
      let parsed: unknown
      try {
        parsed = content === undefined ? undefined : parseFile({path: inner, content}, 'yaml').value
      } catch {
        parsed = undefined // kustomize reports it when rendering
      }
      if (!isObject(parsed)) {
        inputs.missing.push(`${file}: ${field} \`${entry}\` (its kustomization is not readable)`)
        return
      }
      await visit(inner, parsed)
    }

    for (const field of TARGETS)
      for (const entry of strings(kustomization[field])) await addTarget(field, entry)
    for (const field of PLUGINS)
      for (const entry of strings(kustomization[field])) await addTarget(field, entry)
    for (const field of FILE_LISTS) for (const entry of strings(kustomization[field])) addFile(entry)
    for (const entry of strings(kustomization.patchesStrategicMerge)) addFile(entry, 'patch')
    for (const field of ['patches', 'patchesJson6902', 'replacements'])
      for (const item of Array.isArray(kustomization[field]) ? (kustomization[field] as unknown[]) : [])
        if (isObject(item) && typeof item.path === 'string')
          addFile(item.path, field === 'replacements' ? 'structural' : 'patch')
    if (isObject(kustomization.openapi) && typeof kustomization.openapi.path === 'string')
      addFile(kustomization.openapi.path)
    for (const field of ['configMapGenerator', 'secretGenerator'])
      for (const generator of Array.isArray(kustomization[field])
        ? (kustomization[field] as unknown[])
        : []) {
        if (!isObject(generator)) continue
        // `files` entries may be `key=path`.
        for (const entry of [
          ...strings(generator.files).map((e) => e.replace(/^[^=]*=/, '')),
          ...strings(generator.envs),
          ...strings([generator.env]),
        ])
          addFile(entry, 'generator')
      }
    if (kustomization.helmCharts !== undefined)
      inputs.unreadable.push(`${file}: helmCharts (kustomize would run helm and fetch the charts)`)
  }

  await visit(path, value)
  for (const file of structural) inputs.generatorData.delete(file)
  // Only files the source holds are copied; a missing one is for kustomize to report.
  for (const file of inputs.files)
    if (!all.has(file)) {
      inputs.files.delete(file)
      inputs.patches.delete(file)
      inputs.missing.push(file)
    }
  return inputs
}
