// The gate's inputs that live in the repository, and their protection. acldrift's own files —
// the config, the approvals file and the baseline snapshot — decide what passes, so a change
// to them that widens what passes is reported like a widening of access, with its commit and
// actor: a lowered failOn, `agents: allow`, an added approver, a glob that stops covering a
// policy file, an added or removed approval, a baseline that now contains new access.
//
// Both sides are read from git: the reference (what the comparison starts from: HEAD for the
// working tree and the index, the baseline revision, or — for a baseline snapshot file — the
// last version of that file committed by a listed approver) and the target. Who made each
// change is found by semantic blame over the files' history, as for access findings.

import {isAbsolute, relative, resolve, sep} from 'node:path'
import {adapterFor, ADAPTERS} from '../adapters/index.js'
import {
  catFileBatch,
  type History,
  readPathHistory,
  readPathsAt,
  readWorktreeFiles,
  shallowBoundaries,
} from '../git/index.js'
import {
  APPROVALS_FILE,
  type ApprovalEntry,
  approvalsOrUndefined,
  parseApprovals,
  sameEntry,
} from './approvals.js'
import {blobsToRead, chainOf, semanticBlame} from './attribute/blame.js'
import {compareChanged} from './compare.js'
import {blamedCommit, blamedShas, lookUpCommits, pendingCommit} from './commits.js'
import type {CheckOptions} from './options.js'
import {canonical} from './approvals.js'
import {type Config, CONFIG_FILE, configFromValue, DEFAULT_CONFIG, type Policy} from './config.js'
import {InvalidInputError} from '../kernel/errors.js'
import {findingId} from '../kernel/findings.js'
import {
  type ApprovalRecord,
  applyApprovals,
  approverCommit,
  commitApproval,
  failOnWeakened,
  stricter,
  utcDay,
} from './gate.js'
import {parseFile} from '../kernel/parse.js'
import {findingKey} from './embedded.js'
import {parseSnapshot} from './snapshot.js'
import {classifier, type LoadedSource, loadSource, type SourceSpec} from './source.js'
import type {
  AdapterSettings,
  CommitInfo,
  Document,
  Finding,
  InputProblem,
  Kind,
  Severity,
  SourceMap,
} from '../kernel/types.js'
import {validateValue} from './validate.js'
import type {GateRule} from './gate/rules.js'

export interface GateInput {
  options: CheckOptions
  baseline: LoadedSource
  target: LoadedSource
  /** the access findings, attributed; their `approval` is filled in */
  findings: Finding[]
  /** the environment of the commit being made (default: this process's) */
  env?: NodeJS.ProcessEnv
  now?: Date
}

export interface GateOutput {
  /** findings about acldrift's own files and about approvals */
  findings: Finding[]
  errors: InputProblem[]
  notes: string[]
  policy: Pick<Policy, 'failOn' | 'agents'>
  /** whose approvals counted */
  approvers: string[]
}

/** A protected-file finding, and how to ask any version of its file whether the change is there. */
interface Protected {
  finding: Finding
  path: string
  holds: (blob: string | null) => Promise<boolean>
}

export async function runGate(input: GateInput): Promise<GateOutput> {
  const {options, baseline, target} = input
  const {root, config} = options
  const notes: string[] = []
  const errors: InputProblem[] = []
  const paths = protectedPaths(options, baseline)
  const pathList = [paths.config, paths.approvals, paths.baseline].filter((p): p is string => p !== undefined)
  const mode = options.target.type
  // The target's commit: the revision for `--ref`, HEAD for the index and the working tree.
  const historyHead = target.commit

  // History of the protected files, read once, when something needs it.
  let history: Promise<History> | undefined
  const readHistoryOnce = () =>
    (history ??=
      historyHead === null
        ? Promise.resolve({commits: new Map(), order: []})
        : readPathHistory(root, historyHead, pathList))
  const versions = new VersionCache(root)

  const reference = await referenceCommit(input, paths, historyHead, readHistoryOnce, notes)
  const [before, after] = await readSides(root, options.target, reference, target.commit, pathList)

  // acldrift.config.yaml
  const beforeConfig = paths.config === undefined ? absent() : await configVersion(paths.config, before)
  const afterConfig = paths.config === undefined ? absent() : await configVersion(paths.config, after)
  if (afterConfig.status === 'invalid') errors.push(...afterConfig.problems)
  const current: Config = afterConfig.status === 'ok' ? afterConfig.config : config
  const referenceApprovers =
    beforeConfig.status === 'ok' ? beforeConfig.config.policy.approvers : config.policy.approvers

  const found: Protected[] = []
  if (reference !== null && beforeConfig.status === 'absent' && afterConfig.status === 'ok')
    notes.push(`${paths.config} is new: its policy and approvers apply as written`)
  if (paths.config !== undefined && reference !== null && afterConfig.status !== 'invalid')
    found.push(...(await configChanges(paths.config, beforeConfig, afterConfig, input, versions)))

  // .acldrift/approvals.yaml
  let afterApprovals: {entries: ApprovalEntry[]; lines: Array<number | null>} = {entries: [], lines: []}
  const approvalsContent = after.get(paths.approvals)
  if (approvalsContent !== undefined) {
    try {
      afterApprovals = await parseApprovals(paths.approvals, approvalsContent)
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error
      errors.push(...error.problems)
    }
  }
  const beforeContent = before.get(paths.approvals)
  const beforeEntries = (beforeContent && (await approvalsOrUndefined(paths.approvals, beforeContent))) ?? []
  if (reference !== null)
    found.push(...removedApprovals(paths.approvals, beforeEntries, afterApprovals.entries, versions))

  // the baseline snapshot file
  if (paths.baseline !== undefined && reference !== null) {
    const changes = await baselineChanges(
      paths.baseline,
      before,
      after,
      versions,
      errors,
      notes,
      current.settings,
    )
    found.push(...changes)
  }

  // Who made each protected change, and each approval.
  const attributeTo = async (
    requests: Array<{path: string; holds: (blob: string | null) => Promise<boolean>}>,
  ) => blameAll(root, requests, historyHead, readHistoryOnce, versions, input)
  if (mode === 'ref') {
    const blamed = await attributeTo(found)
    found.forEach((p, i) => {
      p.finding.commit = blamed[i]!.commit
      if (blamed[i]!.commit === null)
        notes.push(`${p.path}: ${p.finding.rule} not attributed: ${blamed[i]!.why}`)
    })
  } else if (found.length > 0) {
    const pending = await pendingOf(input)
    for (const p of found) p.finding.commit = pending
  }

  const records = await approvalRecords(
    input,
    paths.approvals,
    afterApprovals,
    beforeEntries,
    versions,
    attributeTo,
  )

  // Changes to acldrift's own files made by a listed approver (of the reference) are approved by that commit.
  for (const p of found) p.finding.approval = commitApproval(p.finding, referenceApprovers)
  // An approver added without an approver's commit does not count yet.
  const unapprovedApprovers = new Set(
    found
      .filter((p) => p.finding.rule === 'approver-added' && p.finding.approval === null)
      .map((p) => String(p.finding.witness?.approver)),
  )
  const approvers = current.policy.approvers.filter((email) => !unapprovedApprovers.has(email))

  const compared = new Set([...baseline.documents.keys(), ...target.documents.keys()])
  const approvedBaseline =
    options.baseline !== undefined || config.baseline !== undefined || options.range === true
  const protectedFindings = found.map((p) => p.finding)
  const {findings: aboutApprovals, judged} = applyApprovals(
    [...input.findings, ...protectedFindings],
    records,
    approvers,
    utcDay(input.now ?? new Date()),
    paths.approvals,
    // Unused only where the comparison could have used it: a file it compared, against an approved baseline.
    (entry) => approvedBaseline && (entry.kind === 'acldrift' || compared.has(findingKey(entry))),
  )
  // Approvals added since the reference that count are reported too (informational: approved by themselves).
  const added: Finding[] = []
  for (const record of records) {
    const approval = judged.get(record)!
    if (!approval.valid || beforeEntries.some((e) => sameEntry(e, record.entry)) || reference === null)
      continue
    added.push(approvalAdded(paths.approvals, record, approval))
  }

  // The policy: a weakening applies only once approved; until then the stricter one gates.
  let policy = stricter(config.policy, current.policy)
  const weakened = protectedFindings.filter(
    (f) => f.rule === 'config-weakened' && POLICY_SETTINGS.has(String(f.witness?.setting)),
  )
  const referencePolicy = beforeConfig.status === 'ok' ? beforeConfig.config.policy : DEFAULT_CONFIG.policy
  if (weakened.some((f) => f.approval?.valid !== true)) policy = stricter(policy, referencePolicy)

  return {findings: [...protectedFindings, ...aboutApprovals, ...added], errors, notes, policy, approvers}
}

const POLICY_SETTINGS = new Set(['policy.failOn', 'policy.agents'])

// ── which files, and the reference ──────────────────────────────────────────────────────────

interface ProtectedPaths {
  config: string | undefined
  approvals: string
  baseline: string | undefined
}

function repoPath(root: string, absolute: string): string | undefined {
  const rel = relative(root, absolute)
  if (rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) return undefined
  return rel.split(sep).join('/')
}

export function protectedPaths(options: CheckOptions, baseline: LoadedSource): ProtectedPaths {
  const {root, cwd, config} = options
  const configFile =
    config.file === undefined || config.file === CONFIG_FILE
      ? CONFIG_FILE
      : repoPath(root, resolve(cwd, config.file))
  let baselineFile: string | undefined
  const named = options.baseline ?? config.baseline
  if (baseline.type === 'snapshot' && named !== undefined) {
    const from = options.baseline !== undefined ? cwd : root
    baselineFile = repoPath(root, isAbsolute(named) ? named : resolve(from, named))
  }
  return {config: configFile, approvals: APPROVALS_FILE, baseline: baselineFile}
}

/**
 * What the protected files are compared with. The working tree and the index: HEAD. A
 * revision baseline: that revision. A baseline snapshot file: the last version of it that a
 * listed approver committed (else the one that added it) — the file itself could have been
 * rewritten by anyone since.
 */
async function referenceCommit(
  input: GateInput,
  paths: ProtectedPaths,
  historyHead: string | null,
  history: () => Promise<History>,
  notes: string[],
): Promise<string | null> {
  const {options, baseline} = input
  if (options.target.type !== 'ref') return historyHead
  if (baseline.type !== 'snapshot') return baseline.commit
  if (paths.baseline === undefined || historyHead === null) {
    if (baseline.commit !== null)
      notes.push(
        `acldrift's own files compared with the baseline snapshot's commit ${baseline.commit.slice(0, 7)}`,
      )
    return baseline.commit
  }
  const read = await history()
  const tip = read.order[0]
  if (tip === undefined) return baseline.commit
  const chain = chainOf(read, tip, paths.baseline)
  const touched = chain.states.filter((s) => s.touched).map((s) => s.sha)
  if (touched.length === 0) return baseline.commit
  const commits = await lookUpCommits({root: options.root, actors: options.config.actors}, touched)
  for (const sha of touched) {
    const commit = commits.get(sha)
    if (commit && approverCommit(commit, options.config.policy.approvers).ok) return sha
  }
  notes.push(
    `${paths.baseline}: no version was committed by a listed approver; acldrift's own files are compared with the commit that added it`,
  )
  return touched.at(-1)!
}

async function readSides(
  root: string,
  spec: SourceSpec,
  reference: string | null,
  targetCommit: string | null,
  paths: string[],
): Promise<[Map<string, Buffer>, Map<string, Buffer>]> {
  if (spec.type === 'worktree') {
    const [[before], read] = await Promise.all([
      reference === null
        ? Promise.resolve([new Map<string, Buffer>()])
        : readPathsAt(root, [{type: 'ref', commit: reference}], paths),
      readWorktreeFiles(root, paths),
    ])
    return [before!, new Map(read.files.map((f) => [f.path, f.content]))]
  }
  const afterSide =
    spec.type === 'staged' ? {type: 'staged' as const} : {type: 'ref' as const, commit: targetCommit!}
  if (reference === null) return [new Map(), (await readPathsAt(root, [afterSide], paths))[0]!]
  const [before, after] = await readPathsAt(root, [{type: 'ref', commit: reference}, afterSide], paths)
  return [before!, after!]
}

// ── versions of the files, parsed once each ─────────────────────────────────────────────────

class VersionCache {
  private readonly contents = new Map<string, Buffer>()
  private readonly parsed = new Map<string, Promise<unknown>>()

  constructor(private readonly root: string) {}

  async load(blobs: Iterable<string>): Promise<void> {
    const missing = [...new Set(blobs)].filter((b) => !this.contents.has(b))
    if (missing.length === 0) return
    for (const object of await catFileBatch(this.root, missing))
      if (object.type === 'blob') this.contents.set(object.id, object.content)
  }

  /** The blob parsed by `parse` (once per blob and parser name); undefined for an absent file. */
  async get<T>(
    blob: string | null,
    name: string,
    parse: (content: Buffer) => Promise<T>,
  ): Promise<T | undefined> {
    if (blob === null) return undefined
    const key = `${name}\u0000${blob}`
    let value = this.parsed.get(key) as Promise<T | undefined> | undefined
    if (value === undefined) {
      const content = this.contents.get(blob)
      value = content === undefined ? Promise.resolve(undefined) : parse(content)
      this.parsed.set(key, value)
    }
    return value
  }
}

type ConfigVersion =
  | {status: 'absent'}
  | {status: 'invalid'; problems: InputProblem[]}
  | {status: 'ok'; config: Config; value: unknown; sourceMap: SourceMap}

const absent = (): ConfigVersion => ({status: 'absent'})

async function configVersion(path: string, side: Map<string, Buffer>): Promise<ConfigVersion> {
  const content = side.get(path)
  return content === undefined ? absent() : parseConfig(path, content)
}

async function parseConfig(path: string, content: Buffer): Promise<ConfigVersion> {
  try {
    const parsed = parseFile({path, content}, 'yaml')
    const problems = await validateValue('config', parsed)
    if (problems.length > 0) return {status: 'invalid', problems}
    return {
      status: 'ok',
      config: configFromValue(parsed.value, path),
      value: parsed.value,
      sourceMap: parsed.sourceMap,
    }
  } catch (error) {
    if (!(error instanceof InvalidInputError)) throw error
    return {status: 'invalid', problems: error.problems}
  }
}

const configAt = (versions: VersionCache, path: string, blob: string | null) =>
  versions.get(blob, 'config', async (content) => {
    const version = await parseConfig(path, content)
    return version.status === 'ok' ? version.config : undefined
  })

// ── findings about acldrift's own files ─────────────────────────────────────────────────────

function protectedFinding(fields: {
  file: string
  rule: GateRule
  severity: Severity
  message: string
  witness: Record<string, unknown>
  pointer: string | null
  line: number | null
  before: unknown
  after: unknown
  kind?: Finding['kind']
  id?: string
}): Finding {
  return {
    id: fields.id ?? findingId(['acldrift', fields.file, fields.rule, canonical(fields.witness)]),
    kind: fields.kind ?? 'acldrift',
    file: fields.file,
    line: fields.line,
    pointer: fields.pointer,
    change: 'widening',
    severity: fields.severity,
    rule: fields.rule,
    message: fields.message,
    witness: fields.witness,
    before: fields.before,
    after: fields.after,
    diff: [],
    commit: null,
    approval: null,
  }
}

/** The line of `pointer`, else of its nearest located ancestor. */
function lineOf(sourceMap: SourceMap | undefined, pointer: string): number | null {
  if (sourceMap === undefined) return null
  for (let current = pointer; ; current = current.slice(0, current.lastIndexOf('/'))) {
    const position = sourceMap.locate(current)
    if (position !== undefined) return position.line
    if (current === '') return null
  }
}

async function configChanges(
  file: string,
  before: ConfigVersion,
  after: ConfigVersion,
  input: GateInput,
  versions: VersionCache,
): Promise<Protected[]> {
  if (after.status === 'invalid' || before.status === 'invalid') return []
  const out: Protected[] = []
  const at = (blob: string | null) => configAt(versions, file, blob)
  if (after.status === 'absent') {
    if (before.status !== 'ok') return []
    const finding = protectedFinding({
      file,
      rule: 'config-weakened',
      severity: 'high',
      message: `${file} was removed: its policy, approvers and document globs no longer apply.`,
      witness: {setting: 'config', before: 'present', after: 'removed'},
      pointer: null,
      line: null,
      before: before.value,
      after: null,
    })
    return [{finding, path: file, holds: async (blob) => blob === null}]
  }
  // The first config (none in the reference) is taken as written: its policy and approvers are the first
  // ones. Removing a config to add a weaker one is caught by the removal, and by longer ranges.
  if (before.status !== 'ok') return []
  const old = before.config
  const now = after.config
  const sourceMap = after.sourceMap
  const add = (
    rule: GateRule,
    severity: Severity,
    pointer: string,
    message: string,
    witness: Record<string, unknown>,
    holds: (config: Config) => boolean,
  ) =>
    out.push({
      finding: protectedFinding({
        file,
        rule,
        severity,
        message,
        witness,
        pointer,
        line: lineOf(sourceMap, pointer),
        before: before.value,
        after: after.value,
      }),
      path: file,
      holds: async (blob) => {
        const config = await at(blob)
        return config !== undefined && holds(config)
      },
    })

  if (failOnWeakened(old.policy.failOn, now.policy.failOn))
    add(
      'config-weakened',
      'high',
      '/policy/failOn',
      `${file}: policy.failOn lowered from ${old.policy.failOn} to ${now.policy.failOn}, so fewer widenings fail the check.`,
      {setting: 'policy.failOn', before: old.policy.failOn, after: now.policy.failOn},
      (c) => failOnWeakened(old.policy.failOn, c.policy.failOn),
    )
  // The kinds' own settings, as each kind declares which changes to them weaken checking.
  for (const {settings} of ADAPTERS) {
    if (settings === undefined) continue
    for (const row of settings.weakenings) {
      const value = (c: Config) => row.value(settings.read(c.settings[settings.key]))
      const [was, is] = [value(old), value(now)]
      if (!row.weakened(was, is)) continue
      add(
        'config-weakened',
        row.severity,
        `/${row.setting.split('.').join('/')}`,
        row.message(file, was, is),
        {setting: row.setting, before: was, after: is},
        (c) => (row.persists ? row.persists(value(c), was, is) : row.weakened(was, value(c))),
      )
    }
  }
  if (old.policy.agents === 'require-approval' && now.policy.agents === 'allow')
    add(
      'config-weakened',
      'high',
      '/policy/agents',
      `${file}: policy.agents set to allow, so AI agents' widenings below failOn pass without a human approval.`,
      {setting: 'policy.agents', before: old.policy.agents, after: now.policy.agents},
      (c) => c.policy.agents === 'allow',
    )
  for (const email of now.policy.approvers.filter((e) => !old.policy.approvers.includes(e)))
    add(
      'approver-added',
      'high',
      '/policy/approvers',
      `${file}: ${email} added to policy.approvers: their approvals will let widenings pass.`,
      {setting: 'policy.approvers', approver: email},
      (c) => c.policy.approvers.includes(email),
    )
  for (const item of removedAgentSignals(old, now))
    add(
      'config-weakened',
      'medium',
      '/actors/agents',
      `${file}: actors.agents no longer lists ${item}: commits it marks stop counting as an AI agent's.`,
      {setting: 'actors.agents', removed: item},
      (c) => !agentSignals(c).has(item),
    )
  for (const email of addedAutomation(old, now))
    add(
      'config-weakened',
      'medium',
      '/actors/automation',
      `${file}: ${email} listed as automation: its commits may stop counting as an AI agent's.`,
      {setting: 'actors.automation', added: email},
      (c) => automationEmails(c).has(email),
    )
  if (old.baseline !== now.baseline)
    add(
      'config-weakened',
      'medium',
      '/baseline',
      `${file}: the baseline changed from ${old.baseline ?? 'HEAD'} to ${now.baseline ?? 'HEAD'}: changes are compared with another approved state.`,
      {setting: 'baseline', before: old.baseline ?? null, after: now.baseline ?? null},
      (c) => c.baseline === now.baseline,
    )
  // Globs and excludes: a policy file the old config covered and the new one does not is no longer checked.
  if (canonical([old.documents, old.exclude]) !== canonical([now.documents, now.exclude])) {
    const spec: SourceSpec =
      input.options.target.type === 'ref' ? {type: 'ref', rev: input.target.commit!} : input.options.target
    const [covered, still] = await Promise.all([
      loadSource(input.options.root, spec, old),
      loadSource(input.options.root, spec, now),
    ])
    for (const path of [...covered.documents.keys()].filter((p) => !still.documents.has(p)).sort()) {
      const pointer = now.exclude.some(
        (glob) => classifier({...now, documents: [], exclude: [glob]})(path) === undefined,
      )
        ? '/exclude'
        : '/documents'
      add(
        'config-weakened',
        'high',
        pointer,
        `${file}: ${path} is no longer covered by the config's documents/exclude globs, so its access is not checked.`,
        {setting: 'documents', uncovered: path},
        (c) => classifier(c)(path) === undefined,
      )
    }
  }
  return out
}

const agentSignals = (config: Config) =>
  new Set(
    (config.actors?.agents ?? []).flatMap((a) => [
      ...(a.emails ?? []).map((e) => `email ${e.toLowerCase()}`),
      ...(a.trailers ?? []).map((t) => `trailer ${t}`),
    ]),
  )

function removedAgentSignals(before: Config, after: Config): string[] {
  const now = agentSignals(after)
  return [...agentSignals(before)].filter((s) => !now.has(s))
}

const automationEmails = (config: Config) =>
  new Set((config.actors?.automation ?? []).flatMap((a) => a.emails.map((e) => e.toLowerCase())))

function addedAutomation(before: Config, after: Config): string[] {
  const old = automationEmails(before)
  return [...automationEmails(after)].filter((e) => !old.has(e))
}

function removedApprovals(
  file: string,
  before: ApprovalEntry[],
  after: ApprovalEntry[],
  versions: VersionCache,
): Protected[] {
  const kept = new Set(after.map((e) => e.id))
  return before
    .filter((entry) => !kept.has(entry.id))
    .map((entry) => ({
      finding: protectedFinding({
        file,
        rule: 'approval-removed',
        severity: 'low',
        message: `The approval of ${entry.id} (${entry.access.rule} in ${entry.file}, approver ${entry.approver}) was removed from ${file}.`,
        witness: {approval: entry.id, approver: entry.approver, rule: entry.access.rule, file: entry.file},
        pointer: null,
        line: null,
        before: entry,
        after: null,
      }),
      path: file,
      holds: async (blob) => {
        const entries = await versions.get(blob, 'approvals', (c) => approvalsOrUndefined(file, c))
        return blob === null || (entries !== undefined && !entries.some((e) => e.id === entry.id))
      },
    }))
}

function approvalAdded(file: string, record: ApprovalRecord, approval: Finding['approval']): Finding {
  const {entry} = record
  return {
    ...protectedFinding({
      file,
      rule: 'approval-added',
      severity: 'low',
      message: `${entry.approver} approved ${entry.id} (${entry.access.rule} in ${entry.file}) until ${entry.expires}: ${entry.reason}`,
      witness: {approval: entry.id, approver: entry.approver, rule: entry.access.rule, file: entry.file},
      pointer: `/approvals/${record.index}`,
      line: record.line,
      before: null,
      after: entry,
    }),
    commit: record.addedBy,
    approval,
  }
}

/** New access in the baseline snapshot: each widening between its two versions, found by the adapters. */
async function baselineChanges(
  file: string,
  before: Map<string, Buffer>,
  after: Map<string, Buffer>,
  versions: VersionCache,
  errors: InputProblem[],
  notes: string[],
  settings: AdapterSettings,
): Promise<Protected[]> {
  const old = before.get(file)
  const now = after.get(file)
  if (old === undefined || now === undefined || old.equals(now)) {
    if (old === undefined && now !== undefined) notes.push(`${file}: the baseline snapshot is new`)
    return []
  }
  let oldSnapshot: Awaited<ReturnType<typeof parseSnapshot>>
  let newSnapshot: Awaited<ReturnType<typeof parseSnapshot>>
  try {
    newSnapshot = await parseSnapshot(file, now)
  } catch (error) {
    if (!(error instanceof InvalidInputError)) throw error
    errors.push(...error.problems)
    return []
  }
  try {
    oldSnapshot = await parseSnapshot(file, old)
  } catch (error) {
    if (!(error instanceof InvalidInputError)) throw error
    notes.push(`${file}: its previous version does not validate; compared as if it were empty`)
    oldSnapshot = {...newSnapshot, source: {...newSnapshot.source, documents: new Map()}, held: new Map()}
  }
  // Both versions through the snapshot container format: findings name the snapshot file, the
  // line in it, and the document (the policy file it stands for).
  const was = oldSnapshot.held
  const is = newSnapshot.held
  const result = await compareChanged(was, is, settings)
  notes.push(...result.notes.map((note) => `${file}: ${note}`))
  const out: Protected[] = []
  for (const inner of result.findings) {
    if (inner.change === 'narrowing' || inner.witness === null) continue
    // The adapters' findings are of a document kind.
    const kind = inner.kind as Kind
    const key = findingKey(inner)
    const finding: Finding = {
      ...inner,
      rule: 'baseline-widened',
      message: `The baseline snapshot now accepts access it did not (${inner.rule} in ${inner.document}): ${inner.message}`,
      baselineLocation: undefined,
      commit: null,
      approval: null,
    }
    delete finding.baselineLocation
    const witness = inner.witness
    out.push({
      finding,
      path: file,
      holds: async (blob) => {
        const docs = await versions.get(blob, 'snapshot', (content) => snapshotDocuments(file, content))
        const doc = docs?.get(key)
        if (doc === undefined || doc.kind !== kind) return false
        const others = new Map(
          [...docs!].filter(([p, d]) => d.kind === kind && p !== key).map(([p, d]) => [p, d.value]),
        )
        return adapterFor(kind).allows(doc.value, witness, key, others, settings)
      },
    })
  }
  return out
}

/** The documents of a snapshot version, for blame (a version that does not parse allows nothing). */
async function snapshotDocuments(file: string, content: Buffer): Promise<Map<string, Document> | undefined> {
  try {
    return (await parseSnapshot(file, content)).held
  } catch (error) {
    if (error instanceof InvalidInputError) return undefined
    throw error
  }
}

// ── who made each change ────────────────────────────────────────────────────────────────────

async function pendingOf(input: GateInput): Promise<CommitInfo> {
  const subject =
    input.options.target.type === 'staged'
      ? 'the commit being made'
      : 'uncommitted changes in the working tree'
  return pendingCommit(
    {
      root: input.options.root,
      actors: input.options.config.actors,
      env: input.env,
      message: input.options.message,
    },
    subject,
  )
}

/** Semantic blame of each request over the protected files' history: the commit after which it holds and stays. */
async function blameAll(
  root: string,
  requests: Array<{path: string; holds: (blob: string | null) => Promise<boolean>}>,
  head: string | null,
  readHistory: () => Promise<History>,
  versions: VersionCache,
  input: GateInput,
): Promise<Array<{commit: CommitInfo | null; why?: string}>> {
  if (requests.length === 0) return []
  if (head === null) return requests.map(() => ({commit: null, why: 'the repository has no commit'}))
  const history = await readHistory()
  // The history holds only commits that touch the files: blame starts at the newest of them.
  const tip = history.order[0]
  if (tip === undefined) return requests.map(() => ({commit: null, why: 'no commit ever added it'}))
  const blobs = new Map(requests.map((r) => [r.path, blobsToRead(history, tip, r.path)]))
  await versions.load([...blobs.values()].flatMap((set) => [...set]))
  const boundaries = await shallowBoundaries(root)
  const results: Array<{sha: string | null; mergedBy?: string; why?: string}> = []
  for (const request of requests) {
    const answers = new Map<string | null, boolean>()
    for (const blob of [null, ...blobs.get(request.path)!]) answers.set(blob, await request.holds(blob))
    const result = semanticBlame(history, tip, request.path, (blob) => answers.get(blob) ?? false)
    if (result.sha !== null && boundaries.has(result.sha))
      results.push({sha: null, why: `the history is shallow: ${result.sha.slice(0, 7)} is where it was cut`})
    else results.push(result)
  }
  const blamed = results.map((r) => (r.sha === null ? null : {sha: r.sha, mergedBy: r.mergedBy}))
  const commits = await lookUpCommits({root, actors: input.options.config.actors}, blamedShas(blamed))
  return results.map((r, i) => {
    const commit = blamed[i] ? blamedCommit(commits, blamed[i]) : undefined
    return commit === undefined ? {commit: null, why: r.why ?? 'the commit could not be read'} : {commit}
  })
}

/**
 * Each approval with the commit that added it: the first after which the entry (exactly as it
 * is now) is present and stays present. In the working tree and the index, an entry not in
 * HEAD is the pending commit's.
 */
async function approvalRecords(
  input: GateInput,
  file: string,
  current: {entries: ApprovalEntry[]; lines: Array<number | null>},
  inHead: ApprovalEntry[],
  versions: VersionCache,
  attributeTo: (
    requests: Array<{path: string; holds: (blob: string | null) => Promise<boolean>}>,
  ) => Promise<Array<{commit: CommitInfo | null; why?: string}>>,
): Promise<ApprovalRecord[]> {
  if (current.entries.length === 0) return []
  const mode = input.options.target.type
  const pendingEntries =
    mode === 'ref' ? [] : current.entries.filter((e) => !inHead.some((h) => sameEntry(h, e)))
  const committed = current.entries.filter((e) => !pendingEntries.includes(e))
  const blamed = await attributeTo(
    committed.map((entry) => ({
      path: file,
      holds: async (blob) => {
        const entries = await versions.get(blob, 'approvals', (c) => approvalsOrUndefined(file, c))
        return entries?.some((e) => sameEntry(e, entry)) ?? false
      },
    })),
  )
  const pending = pendingEntries.length > 0 ? await pendingOf(input) : null
  return current.entries.map((entry, index) => {
    const at = committed.indexOf(entry)
    const addedBy = at === -1 ? pending : blamed[at]!.commit
    return {
      entry,
      index,
      line: current.lines[index] ?? null,
      addedBy,
      ...(addedBy === null ? {unknownWhy: at === -1 ? 'no pending commit' : blamed[at]!.why} : {}),
    }
  })
}
