// Whether an approval of one statement covers a finding about another (Adapter.covers), decided
// by the comparison engine itself: each access becomes a one-statement policy (with the Denies
// that can take part of it back, which the access records), and the approval covers the finding
// when the finding's policy grants nothing the approved one does not — no widening, and no
// possible widening either (a symbol, a condition acldrift cannot read: not covered).

import {canonicalAccess} from '../../kernel/findings.js'
import type {ParsedFile} from '../../kernel/types.js'
import {compareIamFile} from './compare.js'

/** A widening's access, as compare.ts records it: the statement, the Deny it exceeds, the Denies that cut it. */
interface StatementAccess {
  statement: Record<string, unknown>
  exceeds?: unknown
  cutBy?: Array<Record<string, unknown>>
}

/** The marker compare.ts adds to a statement whose policy reads policy variables (Version 2012-10-17). */
const VARIABLES = '(policy variables)'

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

function statementAccess(access: unknown): StatementAccess | undefined {
  if (!isRecord(access) || !isRecord(access.statement)) return undefined
  if (Object.keys(access).some((key) => !['statement', 'exceeds', 'cutBy'].includes(key))) return undefined
  if (access.cutBy !== undefined && !(Array.isArray(access.cutBy) && access.cutBy.every(isRecord)))
    return undefined
  return access as unknown as StatementAccess
}

/** The access as a policy of its own: the statement and the Denies that cut it, under the Version it was read with. */
function policyOf(access: StatementAccess): ParsedFile {
  const statements = [access.statement, ...(access.cutBy ?? [])]
  const variables = statements.some((s) => s[VARIABLES] === true)
  const value = {
    Version: variables ? '2012-10-17' : '2008-10-17',
    Statement: statements.map((s) =>
      Object.fromEntries(Object.entries(s).filter(([key]) => key !== VARIABLES)),
    ),
  }
  return {path: '(approved access)', value, sourceMap: {locate: () => undefined}, hash: ''}
}

/** Answers already given, by the pair's canonical text: the hook asks per finding and approval. */
const answers = new Map<string, boolean>()
const MAX_ANSWERS = 1000

/**
 * Whether the finding's access grants nothing the approved access does not. Only a statement's
 * access is compared this way, and only when both exceed the same Deny (or none); any other
 * shape (a removed Deny) is covered only by itself, which the caller has already asked.
 */
export function impliedBy(approved: unknown, access: unknown): boolean {
  const a = statementAccess(approved)
  const b = statementAccess(access)
  if (a === undefined || b === undefined) return false
  if (canonicalAccess(a.exceeds ?? null) !== canonicalAccess(b.exceeds ?? null)) return false
  const key = `${canonicalAccess(a)}\u0000${canonicalAccess(b)}`
  let answer = answers.get(key)
  if (answer === undefined) {
    const {findings} = compareIamFile('(approved access)', policyOf(a), policyOf(b))
    answer = findings.every((f) => f.change === 'narrowing')
    if (answers.size >= MAX_ANSWERS) answers.clear()
    answers.set(key, answer)
  }
  return answer
}
