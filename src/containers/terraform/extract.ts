// The documents of one `.tf` file, read with the rest of its module (the other `.tf` files of its
// directory, its tfvars, and the files it reads with `file()` and `templatefile()`), from the same
// source. A module is evaluated once per source; each of its files takes the documents whose
// resource (or standalone data source) it holds.

import {posix} from 'node:path'
import type {Extraction, SourceFiles} from '../container.js'
import {InvalidInputError} from '../../kernel/errors.js'
import {sha256} from '../../kernel/hash.js'
import {decode, MAX_FILE_BYTES} from '../../kernel/parse.js'
import type {ParsedFile, SourceFile} from '../../kernel/types.js'
import type {HclFile} from './ast.js'
import {evaluateModule, type ModuleDocuments} from './module.js'
import {type FoundDocument, toEmbedded} from './resources.js'
import {loadParser, parseHcl} from './syntax.js'

/** Evaluations are repeated while they ask for files not read yet (a template that reads a file …). */
const MAX_ROUNDS = 5

/** What a module's evaluation gave, and the content hash of each `.tf` and tfvars file it read. */
interface Evaluated {
  hashes: Map<string, string>
  documents: ModuleDocuments
}

/**
 * Evaluations of this process, by directory and the content of the module's files. Its documents
 * are a function of those, of the files `file()` and `templatefile()` read (`texts`, their content
 * hash, or null where there was none to read, checked again on each use) and of nothing else.
 * So one content is evaluated once whichever source holds it: the hook reads HEAD's module to
 * see whether HEAD already allows a finding's witness, and blame reads it again at HEAD. The oldest
 * are dropped past MODULES_LIMIT (an audit walks many versions).
 */
const byContent = new Map<string, {texts: Map<string, string | null>; evaluated: Evaluated}>()
const MODULES_LIMIT = 200

/** How many module evaluations this process made, and of how many contents (a debug stat, for tests). */
export const moduleEvaluations = {count: 0, contents: new Set<string>()}

const dirOf = (path: string) => posix.dirname(path).replace(/^\.$/, '')

/** `terraform.tfvars` then `*.auto.tfvars` in lexical order, as Terraform reads them. */
export const isTfvars = (path: string) => /(^|\/)terraform\.tfvars$|\.auto\.tfvars$/.test(path)

/** A module's evaluation, per source and directory, with the content hash of each file it read. */
const evaluated = new WeakMap<SourceFiles, Map<string, Promise<Evaluated>>>()

export async function extractTerraform(
  parsed: ParsedFile,
  source: SourceFiles | undefined,
): Promise<Extraction> {
  const dir = dirOf(parsed.path)
  let module: Evaluated | undefined
  if (source !== undefined) {
    let byDir = evaluated.get(source)
    if (byDir === undefined) evaluated.set(source, (byDir = new Map()))
    let pending = byDir.get(dir)
    if (pending === undefined) byDir.set(dir, (pending = evaluateDirectory(dir, source)))
    module = await pending
    // The source's own version of this file is the one read; another version is read alone with the module.
    if (module.hashes.get(parsed.path) !== parsed.hash) module = await evaluateDirectory(dir, source, parsed)
  } else module = await evaluateDirectory(dir, undefined, parsed)
  const mine = module.documents.files.get(parsed.path) ?? {documents: [], notes: [], problems: []}
  const notes = new Set(mine.notes)
  for (const found of mine.documents) notesOf(found, parsed.path, notes)
  const documents = mine.documents.map((found) => toEmbedded(found, parsed.path))
  if (source === undefined)
    for (const path of module.documents.wanted)
      notes.add(
        `${parsed.path}: ${path} is not read (the file is read alone, without its repository): its content is unknown`,
      )
  return {documents, notes: [...notes], problems: mine.problems}
}

/** The module of `dir` as the source holds it (with `own`, a version of one of its files, in place of the source's). */
async function evaluateDirectory(
  dir: string,
  source: SourceFiles | undefined,
  own?: ParsedFile,
): Promise<Evaluated> {
  const inDir = source === undefined ? [] : (await source.paths()).filter((p) => dirOf(p) === dir)
  const tfPaths = inDir.filter((p) => p.endsWith('.tf') && p !== own?.path)
  const tfvarsPaths = inDir
    .filter(isTfvars)
    .sort((a, b) => tfvarsOrder(a) - tfvarsOrder(b) || (a < b ? -1 : 1))
  const contents =
    source === undefined ? new Map<string, Buffer>() : await source.read([...tfPaths, ...tfvarsPaths])
  const hashes = new Map<string, string>()
  const read = async (paths: string[]) => {
    const files: HclFile[] = []
    for (const path of paths) {
      const content = contents.get(path)
      if (content === undefined) continue
      hashes.set(path, sha256(content))
      // A file of the module that does not parse is reported when it is read itself; here its
      // definitions are simply not there (what refers to them is unknown).
      const file = await parseHcl({path, content}).catch((error: unknown) => {
        if (error instanceof InvalidInputError) return undefined
        throw error
      })
      if (file !== undefined) files.push(file)
    }
    return files
  }
  const files = await read(tfPaths)
  if (own !== undefined) {
    files.push(own.value as HclFile)
    hashes.set(own.path, own.hash)
  }
  const tfvars = await read(tfvarsPaths)
  // Every file read, in the order they are evaluated in, with its content.
  const key = JSON.stringify([dir, [...hashes]])
  const known = byContent.get(key)
  if (known !== undefined && (await sameTexts(known.texts, source))) return known.evaluated
  const {parser} = await loadParser()
  const texts = new Map<string, string | undefined>()
  const textHashes = new Map<string, string | null>()
  moduleEvaluations.count++
  moduleEvaluations.contents.add(key)
  let documents = evaluateModule({dir, files, tfvars, texts, parser})
  for (let round = 1; round < MAX_ROUNDS && source !== undefined; round++) {
    const missing = [...documents.wanted].filter((path) => !texts.has(path))
    if (missing.length === 0) break
    const found = await source.read(missing)
    for (const path of missing) {
      const content = found.get(path)
      texts.set(path, textOf(path, content))
      textHashes.set(path, content === undefined ? null : sha256(content))
    }
    documents = evaluateModule({dir, files, tfvars, texts, parser})
  }
  const result = {hashes, documents}
  // Read alone (no source), a module's documents say what they could not read: never reused for a source.
  if (source !== undefined) {
    if (byContent.size >= MODULES_LIMIT) byContent.delete(byContent.keys().next().value!)
    byContent.set(key, {texts: textHashes, evaluated: result})
  }
  return result
}

/** Whether the source holds the same content (or the same absence) at each of these paths. */
async function sameTexts(texts: ReadonlyMap<string, string | null>, source: SourceFiles | undefined) {
  if (texts.size === 0) return true
  if (source === undefined) return false
  const found = await source.read([...texts.keys()])
  return [...texts].every(([path, hash]) => {
    const content = found.get(path)
    return (content === undefined ? null : sha256(content)) === hash
  })
}

const tfvarsOrder = (path: string) =>
  path.endsWith('/terraform.tfvars') || path === 'terraform.tfvars' ? 0 : 1

/** A file's text; undefined when it is not text acldrift reads (binary, not UTF-8, too large). */
function textOf(path: string, content: Buffer | undefined): string | undefined {
  if (content === undefined) return undefined
  try {
    return decode({path, content} satisfies SourceFile, MAX_FILE_BYTES)
  } catch (error) {
    if (error instanceof InvalidInputError) return undefined
    throw error
  }
}

/** A document's notes, and where the parts written in other files are (their findings are placed at its use here). */
function notesOf(found: FoundDocument, path: string, notes: Set<string>): void {
  for (const note of found.notes) notes.add(note)
  const elsewhere = new Set(
    [...found.shaped.positions.values()].map((at) => at.file).filter((file) => file !== path),
  )
  for (const file of elsewhere)
    notes.add(`${path}: ${found.name} is partly written in ${file} (findings about it are placed in ${path})`)
}

/** A `.tf` file as the container reads it (the grammar is loaded here, on the first one). */
export async function parseTerraform(file: SourceFile): Promise<ParsedFile> {
  const hcl = await parseHcl(file)
  return {path: file.path, value: hcl, sourceMap: {locate: () => undefined}, hash: sha256(file.content)}
}
