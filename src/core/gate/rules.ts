// The rules of the gate's own findings: changes to acldrift's own files (the config, the
// approvals file, the baseline snapshot) that widen what passes, and approvals that do not count.
// Declared like a kind's rules (src/kernel/rules.ts), so that the gate's rule names are typed
// values and the README documents each one.

import {declareRules} from '../../kernel/rules.js'
import type {Finding} from '../../kernel/types.js'

export const GATE_RULES = declareRules({
  'config-weakened': {
    change: 'widening',
    severity: ['high', 'medium'],
    title: 'The config checks less',
    description:
      'A change to acldrift.config.yaml makes the check weaker: `failOn` lowered, `agents: allow`, the config removed, a `documents`/`exclude` glob that stops covering a policy file, a `.gitattributes` line that transforms the content of a file the inventory reads (`filter`, `ident`, `working-tree-encoding`, `export-subst`) (high); an agent’s email or trailer removed from `actors.agents`, an email added to `actors.automation`, `baseline:` pointed elsewhere (medium). Until an approver approves it, the stricter policy of the reference applies.',
  },
  'approver-added': {
    change: 'widening',
    severity: 'high',
    title: 'An approver was added',
    description:
      'An email was added to `policy.approvers`: their approvals will let widenings pass. It counts only once an existing approver made (or approved) the change.',
  },
  'approval-added': {
    change: 'widening',
    severity: 'low',
    title: 'An approval was added',
    description:
      'An approval entry was added or changed. Reported with its own approval when it counts; otherwise it is a `self-approval` finding.',
  },
  'approval-removed': {
    change: 'narrowing',
    severity: 'low',
    title: 'An approval was removed',
    description:
      'An approval entry was removed from the approvals file (by hand or by `acldrift approvals prune`): less passes than before. Informational.',
  },
  'baseline-widened': {
    change: 'widening',
    severity: ['high', 'critical', 'medium', 'low'],
    title: 'The baseline accepts more',
    description:
      'The baseline snapshot now accepts access the previous one did not: its two versions compared by the adapters, one finding per widening, with the severity and id of the access it lets in (so the approval of that access covers it).',
  },
  'baseline-moved': {
    change: 'widening',
    severity: 'medium',
    title: 'The baseline claims another commit',
    description:
      'The commit the baseline snapshot says it was taken at (`source.commit`) changed since the approved version of the snapshot, and nothing else did. acldrift does not start history there (it starts at the commit the approved version was taken at, as git history shows), but a claim that moved without an approver is reported, like `baseline:` pointed elsewhere.',
  },
  'baseline-unapproved': {
    change: 'widening',
    severity: 'high',
    title: 'Nobody approved the baseline',
    description:
      'The baseline snapshot file in the repository was never committed by a listed approver (`policy.approvers`), or the revision named as the baseline (`baseline: approved`, `--baseline REV`; not a `--range`) is a commit no listed approver made (a tag anyone can move), or an approver’s commit that holds an AI agent’s change to a file acldrift reads made after the last change an approver made to acldrift’s own files, so the access it accepts was never approved: whoever wrote it chose what passes. Reported when approvers are listed, or when an AI agent or automation made it. A listed approver resolves it by taking the snapshot again (`acldrift snapshot --output FILE`) and committing it, by pointing the revision at their own commit before any such agent change, by approving the agent’s widenings in a commit of theirs, or by approving this finding.',
  },
  'baseline-config-mismatch': {
    change: 'widening',
    severity: 'high',
    title: 'The baseline was read under another config',
    description:
      'A baseline snapshot kept outside the repository recorded that it was read under a config (its `documents` and `exclude` globs, the kinds’ settings) other than that of the commit it was taken at (`source.commit`; the defaults when that commit has no config, the approved config when it names no commit): it may accept access the approved state never checked, such as a file that config excluded. Take the snapshot again under the commit’s config, or approve this finding.',
  },
  'self-approval': {
    change: 'widening',
    severity: 'high',
    title: 'An approval does not count',
    description:
      'The commit that added the approval is attributed to an AI agent, or is not by a listed approver, or not by the approver the entry names: it never lets a widening pass. An approver must add their own approval.',
  },
  'approval-expired': {
    change: 'narrowing',
    severity: 'low',
    title: 'An approval expired',
    description: 'Past its `expires` day the approval stops counting: renew it or remove it. Informational.',
  },
  'approval-stale': {
    change: 'narrowing',
    severity: 'low',
    title: 'An approval matches no finding',
    description:
      'The approval matches no finding of a comparison against an approved baseline (a snapshot or a named revision): remove it, or it would approve the same access again if it came back. Informational.',
  },
  'approval-unverified': {
    change: 'narrowing',
    severity: 'low',
    title: 'An approval cannot be verified',
    description:
      'The commit that added the approval cannot be found (a shallow clone cut it off): it does not count. Informational.',
  },
})

export type GateRule = keyof typeof GATE_RULES

/** Whether a finding is about acldrift's own files (a baseline-widened one carries the kind of the access it lets in). */
export const aboutProtectedFiles = (finding: Pick<Finding, 'kind' | 'rule'>): boolean =>
  finding.kind === 'acldrift' || finding.rule === 'baseline-widened'
