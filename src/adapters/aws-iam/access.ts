// An IAM policy as the access it grants, for attribution's many versions of one file: the
// versions that differ only in the names of their statements are asked and compared once.

import {hasSymbol} from '../../kernel/symbols.js'
import {statementsOf} from './compile.js'

/**
 * The policy's value as text (its own key and list order) without each statement's Sid. A Sid is
 * an optional identifier, a description that IAM does not expose and no evaluation reads (IAM
 * JSON policy elements: Sid, https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_sid.html),
 * so compile.ts keeps it only to name statements in findings: two values with the same text
 * compile to the same rules. A Sid holding a template's unresolved value stays, since a report
 * shows such symbols as the document holds them (evaluate.ts, symbolsOf). Undefined when JSON
 * cannot write the value as it is (YAML's `.inf` and `.nan` would both be `null`).
 */
export function accessText(value: unknown): string | undefined {
  const named = new Set<object>(
    statementsOf(value)
      .map((statement) => statement.raw)
      .filter((raw) => typeof raw.Sid === 'string' && !hasSymbol(raw.Sid)),
  )
  let exact = true
  const text = JSON.stringify(value, function (this: unknown, key: string, item: unknown) {
    if (key === 'Sid' && named.has(this as object)) return undefined
    if (typeof item === 'bigint' || (typeof item === 'number' && !Number.isFinite(item))) exact = false
    return typeof item === 'bigint' ? null : item
  })
  return exact ? text : undefined
}
