// Documents embedded in container files (src/containers/), in the pipeline: each one validated
// under its inner kind and keyed `FILE#NAME`, and every finding about one placed back in its
// container — the container file, the line inside it, and the document's name.

import type {ContainerFormat} from '../containers/index.js'
import {documentKey} from '../kernel/documents.js'
import {valueHash} from '../kernel/hash.js'
import type {Document, Finding, InputProblem, ParsedFile} from '../kernel/types.js'
import {validateValue} from './validate.js'

/** What one file holds: its document, or the documents of a container file, and what fails closed. */
export interface FileDocuments {
  documents: Document[]
  problems: InputProblem[]
  /** what the file holds that is not read, and why */
  notes: string[]
}

/**
 * The documents a container file holds, each validated under its inner kind (problems name the
 * container file, the line inside it and the document), keyed `FILE#NAME`.
 */
export async function embed(parsed: ParsedFile, container: ContainerFormat): Promise<FileDocuments> {
  const extraction = await container.extract(parsed)
  const out: FileDocuments = {documents: [], problems: [...extraction.problems], notes: [...extraction.notes]}
  for (const inner of extraction.documents) {
    const hash = valueHash(inner.value)
    const problems = await validateValue(inner.kind, {
      path: parsed.path,
      value: inner.value,
      sourceMap: inner.sourceMap,
      hash,
    })
    if (problems.length > 0) {
      out.problems.push(
        ...problems.map((p) => ({
          ...p,
          pointer: inner.pointer + (p.pointer ?? ''),
          message: `${inner.name}: ${p.message}`,
        })),
      )
      continue
    }
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
 * Adapters name a finding's file by its document's key: a finding about an embedded document
 * names its container file and the document instead (and so does its baseline location).
 */
export function placeFindings(findings: Finding[], ...sides: ReadonlyMap<string, Document>[]): void {
  const originOf = (key: string) => sides.map((side) => side.get(key)?.origin).find((o) => o !== undefined)
  for (const finding of findings) {
    const origin = originOf(finding.file)
    if (origin !== undefined) {
      finding.file = origin.file
      finding.document = origin.name
      if (finding.pointer !== null) finding.pointer = origin.pointer + finding.pointer
    }
    const location = finding.baselineLocation
    const baselineOrigin = location ? originOf(location.file) : undefined
    if (location && baselineOrigin !== undefined) {
      location.file = baselineOrigin.file
      location.document = baselineOrigin.name
      if (location.pointer !== null) location.pointer = baselineOrigin.pointer + location.pointer
    }
  }
}

/** The key of the document a finding is about (see placeFindings). */
export const findingKey = (finding: Pick<Finding, 'file' | 'document'>): string =>
  documentKey(finding.file, finding.document)
