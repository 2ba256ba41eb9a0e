// Documents embedded in container files (src/containers/), in the pipeline: each one validated
// under its inner kind and keyed `FILE#NAME` (findings about one are placed back in their
// container by the kernel's completeFinding: the container file, the line inside it, the document).

import {
  containerFor,
  type ContainerFormat,
  type EmbeddedDocument,
  type Extraction,
  type SourceFiles,
} from '../containers/index.js'
import {documentKey} from '../kernel/documents.js'
import {valueHash} from '../kernel/hash.js'
import type {AdapterSettings, Document, Finding, InputProblem, ParsedFile} from '../kernel/types.js'
import {render} from './render.js'
import {validateValue} from './validate.js'

/** What one file holds: its document, or the documents of a container file, and what fails closed. */
export interface FileDocuments {
  documents: Document[]
  problems: InputProblem[]
  /** what the file holds that is not read, and why */
  notes: string[]
  /** the file is in a format acldrift recognises and does not read (a template, a patch): why */
  notRead?: {recognisedAs: string; why: string}
  /** offered for its content alone, which is not JSON: no access config, and not listed in coverage */
  passedOver?: true
}

/**
 * The documents a container file holds, each validated under its inner kind (problems name the
 * container file, the line inside it and the document), keyed `FILE#NAME`.
 */
export async function embed(
  parsed: ParsedFile,
  container: ContainerFormat,
  source?: SourceFiles,
  settings: AdapterSettings = {},
): Promise<FileDocuments> {
  let rendered: string | undefined
  if (container.render !== undefined) {
    const outcome = await render(parsed, container, source, settings)
    if ('notRead' in outcome)
      return {
        documents: [],
        problems: [],
        notes: [],
        notRead: {recognisedAs: container.format, why: outcome.notRead},
      }
    rendered = outcome.text
  }
  const extraction = await extractAll(parsed, container, source, rendered)
  const out: FileDocuments = {documents: [], problems: [...extraction.problems], notes: [...extraction.notes]}
  const validated = async (inner: EmbeddedDocument, hash: string): Promise<boolean> => {
    const problems = await validateValue(inner.kind, {
      path: parsed.path,
      value: inner.value,
      sourceMap: inner.sourceMap,
      hash,
    })
    out.problems.push(
      ...problems.map((p) => ({
        ...p,
        pointer: inner.pointer + (p.pointer ?? ''),
        message: `${inner.name}: ${p.message}`,
      })),
    )
    return problems.length === 0
  }
  for (const inner of extraction.held ?? []) await validated(inner, valueHash(inner.value))
  for (const inner of extraction.documents) {
    const hash = valueHash(inner.value)
    if (!(await validated(inner, hash))) continue
    out.documents.push({
      path: documentKey(parsed.path, inner.name),
      kind: inner.kind,
      value: inner.value,
      sourceMap: inner.sourceMap,
      hash,
      origin: {file: parsed.path, format: container.format, name: inner.name, pointer: inner.pointer},
    })
  }
  return out
}

/**
 * What the container extracts from the file, and from what the file compiles into (a
 * Serverless Framework service's CloudFormation template): the documents of both.
 */
async function extractAll(
  parsed: ParsedFile,
  container: ContainerFormat,
  source?: SourceFiles,
  rendered?: string,
): Promise<Extraction> {
  const extraction = await container.extract(parsed, source, rendered)
  if (extraction.compiled === undefined) return extraction
  const {format, value, sourceMap} = extraction.compiled
  const inner = await extractAll({...parsed, value, sourceMap}, containerFor(format), source)
  return {
    documents: [...extraction.documents, ...inner.documents],
    notes: [...extraction.notes, ...inner.notes],
    problems: [...extraction.problems, ...inner.problems],
    held: [...(extraction.held ?? []), ...(inner.held ?? [])],
  }
}

/** The key of the document a finding is about (its container file and name, for an embedded one). */
export const findingKey = (finding: Pick<Finding, 'file' | 'document'>): string =>
  documentKey(finding.file, finding.document)
