// Where an object of a rendered overlay comes from. In the kustomization: the line of the resource,
// base or component entry that its origin annotation's file is, or is in. In the files the render
// reads: where each part of the object is written — the object in the file its origin annotation
// names (found there by kind and name), or, for a part the render changed, the patch that changed
// it (a JSON 6902 operation on that path, or a strategic-merge patch of that object that sets it).
// https://kubectl.docs.kubernetes.io/references/kustomize/kustomization/buildmetadata/
// https://kubectl.docs.kubernetes.io/references/kustomize/kustomization/patches/

import {posix} from 'node:path'
import {canonicalJson} from '../../kernel/hash.js'
import {parseYamlDocuments, pointerTokens, positionAt} from '../../kernel/parse.js'
import type {ParsedFile, Position, RenderedFrom} from '../../kernel/types.js'
import type {SourceFiles} from '../container.js'
import type {LocateRendered} from '../rendered-rbac.js'
import {kustomizationInputs} from './inputs.js'

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

/** Where the kustomization lists the resource, base or component the origin file is (or is in). */
export function entryPosition(kustomization: ParsedFile, origin: string | undefined): Position | undefined {
  if (origin === undefined || !isObject(kustomization.value)) return undefined
  const dir = posix.dirname(kustomization.path)
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

/** One object as written in a file the render reads. */
interface Written {
  file: ParsedFile
  value: Record<string, unknown>
}

/** A patch the overlay (or a kustomization it reads) applies, and where it is written. */
interface Patch {
  /** the kind and name pattern of `target`, when the entry has one */
  target?: {kind?: string; name?: string}
  /** JSON 6902 operations, or a strategic-merge patch (an object) */
  value: unknown
  /** where the patch's pointers are located: the patch file, or the entry of an inline patch */
  locate: (pointer: string) => RenderedFrom | undefined
}

/**
 * The locator of the overlay's rendered objects: each part at the kustomization entry it came in
 * through, and `renderedFrom` where it is written in the files the render read.
 */
export async function overlayLocator(
  kustomization: ParsedFile,
  source: SourceFiles,
): Promise<LocateRendered> {
  const inputs = await kustomizationInputs(kustomization.path, kustomization.value, source)
  const contents = await source.read([...inputs.files])
  const documents = new Map<string, ParsedFile[]>()
  const documentsOf = (path: string): ParsedFile[] => {
    let parsed = documents.get(path)
    if (parsed === undefined) {
      const content = contents.get(path)
      try {
        parsed = content === undefined ? [] : parseYamlDocuments({path, content})
      } catch {
        parsed = [] // kustomize read it; a file acldrift cannot parse is located at the entry only
      }
      documents.set(path, parsed)
    }
    return parsed
  }
  const patches = [...inputs.kustomizations].flatMap(([file, value]) => patchesOf(file, value, documentsOf))
  return (object, origin) => {
    const entry = entryPosition(kustomization, origin)
    const written =
      origin === undefined
        ? undefined
        : writtenObject(documentsOf(posix.join(posix.dirname(kustomization.path), origin)), object)
    const applied = written === undefined ? [] : patches.filter((p) => patchApplies(p, object, written.value))
    return {
      locate: (pointer): Position | undefined => {
        if (entry === undefined || written === undefined) return entry
        const renderedFrom = changedBy(applied, object, written, pointer) ?? fileAt(written.file, pointer)
        return renderedFrom === undefined ? entry : {...entry, renderedFrom}
      },
    }
  }
}

/** The object of the origin file with the rendered object's kind whose name the rendered name holds (prefixes and suffixes added). */
function writtenObject(documents: ParsedFile[], object: Record<string, unknown>): Written | undefined {
  const rendered = nameOf(object) ?? ''
  let best: Written | undefined
  for (const file of documents) {
    const value = file.value
    if (!isObject(value) || value.kind !== object.kind) continue
    const name = nameOf(value)
    if (name === undefined || !rendered.includes(name)) continue
    if (best === undefined || name.length > (nameOf(best.value) ?? '').length) best = {file, value}
  }
  return best
}

const nameOf = (object: Record<string, unknown>): string | undefined =>
  isObject(object.metadata) && typeof object.metadata.name === 'string' ? object.metadata.name : undefined

const fileAt = (file: ParsedFile, pointer: string): RenderedFrom | undefined => {
  const position = positionAt(file.sourceMap, pointer)
  return position === undefined ? undefined : {file: file.path, line: position.line}
}

/** The value at a JSON pointer (undefined where there is none). */
function valueAt(value: unknown, pointer: string): unknown {
  let current = value
  for (const key of pointerTokens(pointer)) {
    if (Array.isArray(current)) current = current[Number(key)]
    else if (isObject(current)) current = current[key]
    else return undefined
  }
  return current
}

/**
 * Where the patch that made the part at `pointer` differ from the object as written is (the last
 * one applied that sets it). Undefined when the part is as written, or no patch read here sets it.
 */
function changedBy(
  applied: Patch[],
  object: Record<string, unknown>,
  written: Written,
  pointer: string,
): RenderedFrom | undefined {
  // The name and labels are changed by the overlay's own transformers: the object is where it is written.
  if (pointer === '' || pointer.startsWith('/metadata')) return undefined
  const [now, then] = [valueAt(object, pointer), valueAt(written.value, pointer)]
  if (
    now === undefined ? then === undefined : then !== undefined && canonicalJson(now) === canonicalJson(then)
  )
    return undefined
  for (const patch of [...applied].reverse()) {
    const at = patchPointer(patch.value, pointer)
    if (at !== undefined) return patch.locate(at)
  }
  return undefined
}

/** The pointer inside a patch of what it sets at `pointer` of the object, if it sets it. */
function patchPointer(patch: unknown, pointer: string): string | undefined {
  if (Array.isArray(patch)) {
    // JSON 6902: the last operation on that path, a path inside it or one around it (`-` appends).
    for (let index = patch.length - 1; index >= 0; index--) {
      const op = patch[index]
      if (!isObject(op) || typeof op.path !== 'string') continue
      const path = op.path.replace(/\/-$/, '')
      if (path === pointer || path.startsWith(`${pointer}/`) || pointer.startsWith(`${path}/`))
        return `/${index}`
    }
    return undefined
  }
  // A strategic-merge patch: the deepest part of the pointer it writes.
  const tokens = pointer.split('/').slice(1)
  let deepest: string | undefined
  for (let depth = 1; depth <= tokens.length; depth++) {
    const prefix = `/${tokens.slice(0, depth).join('/')}`
    if (valueAt(patch, prefix) === undefined) break
    deepest = prefix
  }
  return deepest
}

/** Whether a patch is for this object: its target's kind and name, or the patch object's own. */
function patchApplies(
  patch: Patch,
  object: Record<string, unknown>,
  written: Record<string, unknown>,
): boolean {
  const names = [nameOf(written), nameOf(object)].filter((n): n is string => n !== undefined)
  const matches = (kind: unknown, name: unknown) =>
    (kind === undefined || kind === object.kind) &&
    (name === undefined || (typeof name === 'string' && names.some((n) => fullMatch(name, n))))
  if (patch.target !== undefined) return matches(patch.target.kind, patch.target.name)
  if (!isObject(patch.value)) return false
  return matches(patch.value.kind, nameOf(patch.value))
}

/** kustomize reads a target's name as a regular expression matched whole. */
function fullMatch(pattern: string, name: string): boolean {
  try {
    return new RegExp(`^(?:${pattern})$`).test(name)
  } catch {
    return pattern === name
  }
}

/** The patches a kustomization lists (`patches`, `patchesStrategicMerge`, `patchesJson6902`), each located. */
function patchesOf(
  path: string,
  kustomization: Record<string, unknown>,
  documentsOf: (path: string) => ParsedFile[],
): Patch[] {
  const dir = posix.dirname(path)
  const out: Patch[] = []
  // An inline patch is located at its entry in the kustomization.
  const [parsed] = documentsOf(path)
  const entryAt = (pointer: string) => (): RenderedFrom | undefined =>
    parsed === undefined ? undefined : fileAt(parsed, pointer)
  const fromFile = (file: string, target: Patch['target']) => {
    for (const document of documentsOf(posix.join(dir, file)))
      out.push({target, value: document.value, locate: (pointer) => fileAt(document, pointer)})
  }
  const inline = (text: string, target: Patch['target'], at: string) => {
    for (const document of inlineDocuments(text)) out.push({target, value: document, locate: entryAt(at)})
  }
  for (const field of ['patches', 'patchesJson6902'] as const) {
    const entries = Array.isArray(kustomization[field]) ? (kustomization[field] as unknown[]) : []
    entries.forEach((entry, index) => {
      if (!isObject(entry)) return
      const target = isObject(entry.target)
        ? {
            ...(typeof entry.target.kind === 'string' && {kind: entry.target.kind}),
            ...(typeof entry.target.name === 'string' && {name: entry.target.name}),
          }
        : undefined
      if (typeof entry.path === 'string') fromFile(entry.path, target)
      else if (typeof entry.patch === 'string') inline(entry.patch, target, `/${field}/${index}`)
    })
  }
  const strategic = Array.isArray(kustomization.patchesStrategicMerge)
    ? (kustomization.patchesStrategicMerge as unknown[])
    : []
  strategic.forEach((entry, index) => {
    if (typeof entry !== 'string') return
    if (entry.includes('\n')) inline(entry, undefined, `/patchesStrategicMerge/${index}`)
    else fromFile(entry, undefined)
  })
  return out
}

/** The documents of an inline patch (one list of JSON 6902 operations, or strategic-merge objects). */
function inlineDocuments(text: string): unknown[] {
  try {
    return parseYamlDocuments({path: 'inline.yaml', content: Buffer.from(text, 'utf8')}).map((d) => d.value)
  } catch {
    return []
  }
}
