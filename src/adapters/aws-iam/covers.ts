// Whether an approval of one statement covers a finding about another (Adapter.covers), decided
// by the comparison engine itself: each access becomes a one-statement policy (with the Denies
// that can take part of it back, which the access records), and the approval covers the finding
// when the finding's policy grants nothing the approved one does not — no widening, and no
// possible widening either (a symbol, a condition acldrift cannot read: not covered).
//
// A finding no approval covers gets a witness no approval grants (witnessBeyond): the comparison
// is made again against the baseline with the approved statements added.

import {approvedAccessFile, findingLike, NO_LINES} from '../adapter.js'
import {BoundedMap} from '../../kernel/bounded.js'
import {canonicalAccess} from '../../kernel/findings.js'
import type {Finding, ParsedFile, Witness} from '../../kernel/types.js'
import {compareIamFile} from './compare.js'
import {allowsWitness} from './evaluate.js'

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

const variablesRead = (statements: Array<Record<string, unknown>>) =>
  statements.some((s) => s[VARIABLES] === true)
const unmarked = (statement: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(statement).filter(([key]) => key !== VARIABLES))
const VERSION_READING_VARIABLES = '2012-10-17'

/** The access as a policy of its own: the statement and the Denies that cut it, under the Version it was read with. */
function policyOf(access: StatementAccess): ParsedFile {
  const statements = [access.statement, ...(access.cutBy ?? [])]
  const value = {
    Version: variablesRead(statements) ? VERSION_READING_VARIABLES : '2008-10-17',
    Statement: statements.map(unmarked),
  }
  return approvedAccessFile(value)
}

/** Answers already given, by the pair's canonical text: the hook asks per finding and approval. */
const answers = new BoundedMap<string, boolean>(1000)

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
  return answers.remember(key, () =>
    compareIamFile('(approved access)', policyOf(a), policyOf(b)).findings.every(
      (f) => f.change === 'narrowing',
    ),
  )
}

const statementList = (value: unknown): unknown[] | undefined => {
  if (!isRecord(value)) return undefined
  const list = value.Statement
  return list === undefined ? [] : Array.isArray(list) ? list : [list]
}

/**
 * A request the finding's statement grants that neither the baseline policy nor any approved
 * access does: the file compared again, against its baseline with the approved statements added
 * (read under the baseline's Version: an approved statement read with policy variables under
 * another Version is left out, so that the baseline it joins grants no more than it did), and the
 * witness of that comparison's finding at the same statement kept only when no approved access,
 * as a policy of its own, allows it. Undefined when none is found: the widening beyond the
 * baseline is then all approved access, and the finding keeps its witness.
 */
export function witnessBeyond(
  finding: Finding,
  key: string,
  baseline: ParsedFile | undefined,
  target: ParsedFile,
  approved: readonly unknown[],
): Witness | undefined {
  const accesses = approved.map(statementAccess).filter((a): a is StatementAccess => a !== undefined)
  const before = baseline === undefined ? {} : baseline.value
  const statements = statementList(before)
  if (accesses.length === 0 || statements === undefined) return undefined
  const version =
    (before as Record<string, unknown>).Version ?? (target.value as Record<string, unknown>).Version
  const added = accesses
    .filter((a) => !variablesRead([a.statement]) || version === VERSION_READING_VARIABLES)
    .map((a) => unmarked(a.statement))
  const widened: ParsedFile = {
    path: key,
    value: {
      ...(before as Record<string, unknown>),
      ...(version === undefined ? {} : {Version: version}),
      Statement: [...statements, ...added],
    },
    sourceMap: baseline?.sourceMap ?? NO_LINES,
    hash: '',
  }
  const {findings} = compareIamFile(key, widened, target)
  const same = findingLike(findings, finding)
  if (same === undefined) return undefined
  const grantedByApproval = accesses.some((a) => allowsWitness(policyOf(a).value, same.witness!))
  return grantedByApproval ? undefined : same.witness!
}
