// The gate: acldrift's own files, approvals and the policy. The config, the approvals file and
// the baseline snapshot decide what passes, so a change to them that widens what passes is
// reported like a widening of access, with its commit and actor: a lowered failOn, `agents:
// allow`, an added approver, a glob that stops covering a policy file, an added or removed
// approval, a baseline that now contains new access. Then each approval is judged, and the
// policy the run is judged by is decided.
//
// Both sides are read from git: the reference (reference.ts) and the target. Who made each
// change is found by semantic blame over the files' history, as for access findings. One piece
// per protected input: config-changes.ts, approval-records.ts with approvals.ts (judging) and
// approvals-file.ts (the format), baseline-changes.ts, agent-hooks.ts, attributes.ts
// (every .gitattributes); the verdict in verdict.ts, and the rules of the gate's findings, declared
// as data, in rules.ts.

import {
  checkAttributes,
  deletedPathsNamed,
  type History,
  listPathsNamed,
  readPathHistory,
  readPathsAt,
} from '../../git/index.js'
import {type Config, DEFAULT_CONFIG} from '../config.js'
import {assigner, listSourcePaths} from '../source.js'
import {findingKey} from '../embedded.js'
import type {Finding, InputProblem} from '../../kernel/types.js'
import {AGENT_HOOK_FILES, agentHookChanges} from './agent-hooks.js'
import {ATTRIBUTES_FILE, attributeChanges, isAttributesFile} from './attributes.js'
import {approvalAdded, approvalRecords, readApprovalsSides, removedApprovals} from './approval-records.js'
import {type ApprovalEntry, sameEntry} from './approvals-file.js'
import {applyApprovals, commitApproval, judgeApproval, utcDay} from './approvals.js'
import {baselineChanges, baselineUnapproved, outsideSnapshotConfig} from './baseline-changes.js'
import {pendingOf, protectedBlame} from './blame.js'
import {configChanges, configVersion, DEFAULT_VERSION} from './config-changes.js'
import type {GateInput} from './input.js'
import {newConfigTrust} from './new-config.js'
import type {Protected} from './protected.js'
import {approvedState, protectedPaths, readSides, referenceCommit, unapprovedRevision} from './reference.js'
import {type GatePolicy, gatePolicy} from './verdict.js'
import {ALLOWED_SIGNERS_FILE, signedCommits, signerChanges} from './signatures.js'
import {VersionCache} from './versions.js'

export type {GateInput} from './input.js'

interface GateOutput {
  /** findings about acldrift's own files and about approvals */
  findings: Finding[]
  errors: InputProblem[]
  notes: string[]
  /** the policy the findings are judged by */
  policy: GatePolicy
}

/**
 * The gate read, before the access findings are attributed: what it knows of approvals already
 * (who added each, whether an approver, signed, unexpired), and the judgement still to come.
 */
export interface GateReading {
  /**
   * The approvals that count unless one shares its commit with the access it approves, which
   * only the findings' attribution tells: witness.ts gives each finding none of them covers a
   * request beyond them, so that it is attributed once, by its final witness.
   */
  counting: ApprovalEntry[]
  /** Judges the access findings, attributed (their `approval` is filled in), and decides the policy. */
  judge(findings: Finding[]): Promise<GateOutput>
}

export async function readGate(input: GateInput): Promise<GateReading> {
  const {root, config, target} = input
  const notes: string[] = []
  const errors: InputProblem[] = []
  const paths = protectedPaths(input)
  // Every .gitattributes of the target, in any folder (one listing; none without a commit to compare with).
  const attributeFiles =
    target.commit === null
      ? []
      : await listPathsNamed(
          root,
          target.spec.type === 'ref' ? {type: 'ref', commit: target.commit} : target.spec,
          ATTRIBUTES_FILE,
        )
  const pathList = [
    ...new Set(
      [
        paths.config,
        paths.approvals,
        paths.baseline,
        ALLOWED_SIGNERS_FILE,
        ...AGENT_HOOK_FILES,
        ATTRIBUTES_FILE,
        ...attributeFiles,
      ].filter((p): p is string => p !== undefined),
    ),
  ]

  // History of the protected files up to the target's commit, read once, when something needs it.
  let history: Promise<History> | undefined
  const readHistoryOnce = () =>
    (history ??=
      target.commit === null
        ? Promise.resolve({commits: new Map(), order: []})
        : // (every .gitattributes, those since deleted too)
          readPathHistory(root, target.commit, pathList, [`**/${ATTRIBUTES_FILE}`]))
  const versions = new VersionCache(root)
  const blame = protectedBlame(input, target.commit, readHistoryOnce, versions)

  const {sha: named, unapproved: unapprovedBaseline} = await referenceCommit(
    input,
    paths,
    readHistoryOnce,
    notes,
  )
  // A revision is judged against the approved state, never against a state it vouches for itself.
  const reference =
    named === null || target.spec.type !== 'ref'
      ? named
      : await approvedState(
          input,
          paths.config,
          (path) => pathList.includes(path) || isAttributesFile(path),
          readHistoryOnce,
          named,
          notes,
        )
  // The baseline snapshot is compared only where it changed (baselineChanges): an unchanged one is not read.
  const unlessSame = new Set(paths.baseline === undefined ? [] : [paths.baseline])
  const [before, after] = await readSides(root, target.spec, reference, target.commit, pathList, unlessSame)

  // acldrift.config.yaml
  const afterConfig = await configVersion(paths.config, after)
  if (afterConfig.status === 'invalid') errors.push(...afterConfig.problems)
  const current: Config = afterConfig.status === 'ok' ? afterConfig.config : config
  let beforeConfig = await configVersion(paths.config, before)
  // A config new since the reference sets the policy only when a person wrote it; otherwise it
  // is compared with the defaults, and no approver it lists counts (new-config.ts).
  if (
    reference !== null &&
    paths.config !== undefined &&
    beforeConfig.status === 'absent' &&
    afterConfig.status === 'ok'
  ) {
    const {policy} = afterConfig.config
    const trust = await newConfigTrust(
      input,
      paths.config,
      policy.requireSignedApprovals,
      after.get(ALLOWED_SIGNERS_FILE),
      blame,
    )
    if (trust.trusted)
      notes.push(`${paths.config} is new, ${trust.why}: its policy and approvers apply as written`)
    else {
      notes.push(
        `${paths.config} is new and ${trust.why}: it is compared with the default config, and no approver it lists counts until a person commits it`,
      )
      beforeConfig = DEFAULT_VERSION
    }
  }
  const referenceApprovers =
    beforeConfig.status === 'ok' ? beforeConfig.config.policy.approvers : config.policy.approvers

  const found: Protected[] = []
  if (paths.config !== undefined && reference !== null && afterConfig.status !== 'invalid') {
    // The files the globs cover are the target's: for a revision, its commit.
    const spec = target.spec.type === 'ref' ? {type: 'ref' as const, rev: target.commit!} : target.spec
    found.push(...(await configChanges(paths.config, beforeConfig, afterConfig, {root, spec}, versions)))
  }

  // .acldrift/approvals.yaml
  const approvals = await readApprovalsSides(paths.approvals, before, after, errors)
  if (reference !== null) found.push(...removedApprovals(paths.approvals, approvals, versions))

  // the baseline snapshot file
  if (paths.baseline !== undefined && reference !== null)
    found.push(
      ...(await baselineChanges(paths.baseline, before, after, versions, errors, notes, current.settings)),
    )
  if (unapprovedBaseline !== undefined && reference !== null)
    found.push(baselineUnapproved(unapprovedBaseline))

  // the coding agents' hook configurations, and the keys that sign approvals
  if (reference !== null) found.push(...agentHookChanges(before, after, versions))
  // (as for the config, the first allowed-signers file of a repository's first config is taken as written, when the config is)
  if (reference !== null && beforeConfig.status === 'ok')
    found.push(...signerChanges(before, after, versions))

  // every .gitattributes: content transformed on the way out of the repository
  if (reference !== null) {
    const spec = target.spec.type === 'ref' ? {type: 'ref' as const, rev: target.commit!} : target.spec
    const assign = assigner(current)
    const readPaths = async () => (await listSourcePaths(root, spec)).filter((p) => assign(p) !== undefined)
    // The reference's files include those the target deleted.
    const side = target.spec.type === 'ref' ? {type: 'ref' as const, commit: target.commit!} : target.spec
    const deleted = await deletedPathsNamed(root, reference, side, ATTRIBUTES_FILE)
    const [atReference] = await readPathsAt(root, [{type: 'ref', commit: reference}], deleted)
    const only = (files: Map<string, Buffer>) =>
      new Map([...files].filter(([path]) => isAttributesFile(path)))
    found.push(
      ...(await attributeChanges(
        root,
        new Map([...only(before), ...atReference!]),
        only(after),
        readPaths,
        checkAttributes,
        versions,
      )),
    )
  }

  // Who made each protected change, and each approval.
  if (target.spec.type === 'ref') {
    const blamed = await blame(found)
    for (const [i, p] of found.entries()) {
      const {commit, why} = blamed[i]!
      p.finding.commit = commit
      if (commit === null) notes.push(`${p.path}: ${p.finding.rule} not attributed: ${why}`)
      else await p.refine?.(commit.sha)
    }
  } else if (found.length > 0) {
    const pending = await pendingOf(input)
    for (const p of found) p.finding.commit = pending
  }
  const records = await approvalRecords(input, paths.approvals, approvals, versions, blame)
  // Findings about the baseline that no change to a file makes, so not blamed: a snapshot outside
  // the repository read under another config than its commit's (no commit made it), and a
  // revision no approver made (that commit's).
  const unblamed = [
    ...(input.baseline.snapshot && paths.baseline === undefined
      ? await outsideSnapshotConfig(input, paths.config, notes)
      : []),
    ...(await unapprovedRevision(input, paths.config, notes)),
  ]

  // Under policy.requireSignedApprovals (of the run, the target or the reference: the stricter),
  // an approver's commit counts only signed with a key the reference's allowed-signers file lists.
  const requireSigned =
    config.policy.requireSignedApprovals ||
    current.policy.requireSignedApprovals ||
    (beforeConfig.status === 'ok' && beforeConfig.config.policy.requireSignedApprovals)
  const signed = requireSigned
    ? await signedCommits(root, before.get(ALLOWED_SIGNERS_FILE) ?? after.get(ALLOWED_SIGNERS_FILE), [
        ...found.map((p) => p.finding.commit),
        ...records.map((r) => r.addedBy),
      ])
    : undefined

  // Changes to acldrift's own files made by a listed approver (of the reference) are approved by that commit.
  for (const p of found) p.finding.approval = commitApproval(p.finding, referenceApprovers, signed)
  // An approver added without an approver's commit does not count yet.
  const unapprovedApprovers = new Set(
    found
      .filter((p) => p.finding.rule === 'approver-added' && p.finding.approval === null)
      .map((p) => String(p.finding.witness?.approver)),
  )
  const approvers = current.policy.approvers.filter((email) => !unapprovedApprovers.has(email))
  const today = utcDay(input.now ?? new Date())
  const counting = records.filter((r) => judgeApproval(r, approvers, today, signed).valid).map((r) => r.entry)
  return {
    counting,
    judge: async (findings) => {
      const approvedBaseline =
        input.baseline.flag !== undefined || config.baseline !== undefined || input.range
      const protectedFindings = [...found.map((p) => p.finding), ...unblamed]
      const {findings: aboutApprovals, judged} = await applyApprovals(
        [...findings, ...protectedFindings],
        records,
        approvers,
        today,
        paths.approvals,
        // Unused only where the comparison could have used it: a file it compared, against an approved baseline.
        (entry) => approvedBaseline && (entry.kind === 'acldrift' || input.compared.has(findingKey(entry))),
        signed,
      )
      // Approvals added since the reference that count are reported too (informational: approved by themselves).
      const added: Finding[] = []
      for (const record of records) {
        const approval = judged.get(record)!
        if (!approval.valid || approvals.before.some((e) => sameEntry(e, record.entry)) || reference === null)
          continue
        added.push(approvalAdded(paths.approvals, record, approval))
      }

      // A weakening of the policy applies only once approved; until then the stricter one gates.
      const referencePolicy =
        beforeConfig.status === 'ok' ? beforeConfig.config.policy : DEFAULT_CONFIG.policy
      const policy = gatePolicy(config.policy, current.policy, referencePolicy, protectedFindings)

      return {findings: [...protectedFindings, ...aboutApprovals, ...added], errors, notes, policy}
    },
  }
}
