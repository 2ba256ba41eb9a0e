// The approvals file, .acldrift/approvals.yaml: each entry approves exactly one access (recorded
// whole, with the finding id that names it), with approver, reason and expiry.
// Whether an entry counts is decided by the gate (approvals.ts) from the commit that added it;
// this module only reads and writes the file.

import {createRequire} from 'node:module'
import type * as Yaml from 'yaml'
import {InvalidInputError} from '../../kernel/errors.js'
import {canonicalJson} from '../../kernel/hash.js'
import {MAX_OWN_FILE_BYTES, parseFile} from '../../kernel/parse.js'
import type {Finding, FindingKind, InputProblem, SourceMap, Witness} from '../../kernel/types.js'
import {validateValue} from '../validate.js'

/** Where approvals live, relative to the repository root. */
export const APPROVALS_FILE = '.acldrift/approvals.yaml'

export interface ApprovalEntry {
  id: string
  kind: FindingKind
  file: string
  /** the embedded document's name, for access in a container file */
  document?: string
  access: {
    change: 'widening' | 'possible-widening'
    rule: string
    witness: Witness | null
    /**
     * The access approved, whole (the finding's canonical `access`). Absent in entries written
     * before approvals recorded it: those are read, but never count (approve again).
     */
    whole?: unknown
  }
  approver: string
  reason: string
  ticket?: string
  /** YYYY-MM-DD: the last day (UTC) on which it counts */
  expires: string
  created: string
}

interface ApprovalsFile {
  path: string
  entries: ApprovalEntry[]
  /** where each entry starts, by index */
  lines: Array<number | null>
}

/** Reads the approvals file's content; an invalid file fails closed, naming file:line. */
export async function parseApprovals(path: string, content: Buffer): Promise<ApprovalsFile> {
  const parsed = parseFile({path, content}, 'yaml', {maxFileBytes: MAX_OWN_FILE_BYTES})
  // An empty file approves nothing.
  if (parsed.value === null) return {path, entries: [], lines: []}
  const problems = await validateValue('approvals', parsed)
  if (problems.length > 0) throw new InvalidInputError(problems)
  const entries = (parsed.value as {approvals: ApprovalEntry[]}).approvals
  const duplicates = duplicateIds(entries, parsed.sourceMap, path)
  if (duplicates.length > 0) throw new InvalidInputError(duplicates)
  return {
    path,
    entries,
    lines: entries.map((_, i) => parsed.sourceMap.locate(`/approvals/${i}`)?.line ?? null),
  }
}

/** The entries of one version of the file, or undefined when that version does not parse or validate. */
export async function approvalsOrUndefined(
  path: string,
  content: Buffer,
): Promise<ApprovalEntry[] | undefined> {
  try {
    return (await parseApprovals(path, content)).entries
  } catch (error) {
    if (error instanceof InvalidInputError) return undefined
    throw error
  }
}

function duplicateIds(entries: ApprovalEntry[], sourceMap: SourceMap, file: string): InputProblem[] {
  const first = new Map<string, number>()
  const problems: InputProblem[] = []
  entries.forEach((entry, i) => {
    const seen = first.get(entry.id)
    if (seen === undefined) first.set(entry.id, i)
    else
      problems.push({
        file,
        line: sourceMap.locate(`/approvals/${i}/id`)?.line,
        pointer: `/approvals/${i}/id`,
        message: `approves ${entry.id} again (already at /approvals/${seen}): one entry per access`,
      })
  })
  return problems
}

/** Two entries are the same approval only if every field is the same: any edit makes it a new one. */
export function sameEntry(a: ApprovalEntry, b: ApprovalEntry): boolean {
  return canonicalJson(a) === canonicalJson(b)
}

/** The entry `acldrift approve` writes for a finding. */
export function entryFor(
  finding: Finding,
  fields: {approver: string; reason: string; ticket?: string; expires: string; created: string},
): ApprovalEntry {
  if (finding.change === 'narrowing') throw new Error('internal: a narrowing needs no approval')
  if (finding.access === undefined)
    throw new Error('internal: a finding without its access cannot be approved')
  return {
    id: finding.id,
    kind: finding.kind,
    file: finding.file,
    ...(finding.document === undefined ? {} : {document: finding.document}),
    access: {
      change: finding.change,
      rule: finding.rule,
      witness: finding.witness,
      whole: finding.access,
    },
    approver: fields.approver,
    reason: fields.reason,
    ...(fields.ticket === undefined ? {} : {ticket: fields.ticket}),
    expires: fields.expires,
    created: fields.created,
  }
}

const HEADER = `# acldrift approvals: each entry approves exactly one access (the finding id), until it expires.
# An approval counts only if the commit that adds it is a listed approver's (policy.approvers in
# acldrift.config.yaml), made as a human — not by or with an AI agent. Write entries with
# \`acldrift approve ID --reason R --expires YYYY-MM-DD\`.
`

let yamlModule: typeof Yaml | undefined
const yaml = (): typeof Yaml => (yamlModule ??= createRequire(import.meta.url)('yaml') as typeof Yaml)

/**
 * The file's new text with `entry` added, or put in place of the entry with the same id (a
 * renewal). Comments and the other entries are kept as they are.
 */
export function withEntry(
  current: string | undefined,
  entry: ApprovalEntry,
): {text: string; replaced: boolean} {
  const Y = yaml()
  const doc =
    current === undefined || current.trim() === ''
      ? Y.parseDocument(`${HEADER}version: 1\napprovals: []\n`)
      : Y.parseDocument(current)
  let list = doc.get('approvals')
  if (!Y.isSeq(list)) {
    doc.set('approvals', doc.createNode([]))
    list = doc.get('approvals')
  }
  const seq = list as Yaml.YAMLSeq
  seq.flow = false
  const node = doc.createNode(entry)
  const at = seq.items.findIndex((item) => Y.isMap(item) && item.get('id') === entry.id)
  if (at === -1) seq.items.push(node)
  else seq.items[at] = node
  return {text: doc.toString({lineWidth: 0}), replaced: at !== -1}
}

/** The file's new text without the entries whose id is in `ids`; comments and the other entries are kept. */
export function withoutEntries(current: string, ids: ReadonlySet<string>): {text: string; removed: string[]} {
  const Y = yaml()
  const doc = Y.parseDocument(current)
  const list = doc.get('approvals')
  if (!Y.isSeq(list)) return {text: current, removed: []}
  const removed: string[] = []
  list.items = list.items.filter((item) => {
    const id = Y.isMap(item) ? item.get('id') : undefined
    if (typeof id !== 'string' || !ids.has(id)) return true
    removed.push(id)
    return false
  })
  return {text: removed.length === 0 ? current : doc.toString({lineWidth: 0}), removed}
}
