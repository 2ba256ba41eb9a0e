// Output of `acldrift validate`: one line per problem, `file:line:col pointer message`.

import {formatProblem} from '../kernel/errors.js'
import type {Document, InputProblem} from '../kernel/types.js'

interface ValidationResult {
  documents: Document[]
  problems: InputProblem[]
  /** the config's `documents:` globs that match no file (a mistyped glob reads as "0 documents") */
  warnings: string[]
}

export function renderValidation(result: ValidationResult, format: 'pretty' | 'json'): string {
  if (format === 'json') {
    const documents = result.documents.map((d) => ({file: d.path, kind: d.kind}))
    const {problems: errors, warnings} = result
    return `${JSON.stringify({schemaVersion: 1, documents, errors, warnings}, null, 2)}\n`
  }
  const lines = [...result.warnings, ...result.problems.map(formatProblem)]
  const files = new Set(result.problems.map((p) => p.file)).size
  lines.push(
    result.problems.length === 0
      ? `${result.documents.length} document${result.documents.length === 1 ? '' : 's'} valid`
      : `${result.problems.length} problem${result.problems.length === 1 ? '' : 's'} in ${files} file${files === 1 ? '' : 's'}; ${result.documents.length} valid`,
  )
  return `${lines.join('\n')}\n`
}

/** `acldrift audit --verify-log`: the verdict, then one line per problem. */
export function renderLogVerification(
  file: string,
  result: {
    ok: boolean
    records: number
    problems: Array<{line: number; message: string}>
    authenticated: boolean
    head?: {seq: number; hash: string}
  },
): string {
  if (result.ok) {
    const checked = result.authenticated
      ? 'hash chain and MACs intact'
      : 'hash chain intact (no ACLDRIFT_LOG_KEY: not authenticated)'
    const head = result.head === undefined ? '' : `; head ${result.head.seq}:${result.head.hash}`
    return `${file}: ${result.records} record${result.records === 1 ? '' : 's'}, ${checked}${head}\n`
  }
  const lines = [
    `${file}: TAMPERED or damaged (${result.problems.length} problem${result.problems.length === 1 ? '' : 's'})`,
  ]
  lines.push(...result.problems.map((p) => `  ${file}:${p.line} ${p.message}`))
  return `${lines.join('\n')}\n`
}

/** After `audit --log`: the anchor to keep outside the log (standard error, for the CI log). */
export function renderLogHead(head: {file: string; seq: number; hash: string}): string {
  return (
    `acldrift: audit log ${head.file}: head ${head.seq}:${head.hash} ` +
    `(keep it outside the log; check with \`acldrift audit --verify-log --log ${head.file} --expect-head ${head.seq}:${head.hash}\`)\n`
  )
}
