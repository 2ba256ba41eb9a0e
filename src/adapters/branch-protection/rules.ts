// The rules of branch protection findings: each names the setting whose change lets GitHub accept
// an update (a merge, push, force push, deletion …) the baseline rejected, or the reverse. The
// widening rules whose severity lists `critical` are critical on the default branch
// (`main`, `master`, safe-settings' `default`).

import {declareRules, narrowingRule} from '../../kernel/rules.js'

export const RULES = declareRules({
  'protection-removed': {
    change: 'widening',
    severity: ['high', 'critical'],
    title: 'Branch protection removed',
    description:
      'The branch is no longer protected (its export deleted, its entry removed, `protection: null`): every update by anyone with write access is accepted. Restore the protection.',
  },
  'admins-exempt': {
    change: 'widening',
    severity: 'high',
    title: 'Administrators exempt',
    description:
      '`enforce_admins` is off: repository administrators skip every requirement (reviews, checks, restrictions). Turn it back on unless administrators must bypass the rules.',
  },
  'force-push-allowed': {
    change: 'widening',
    severity: ['high', 'critical'],
    title: 'Force pushes allowed',
    description:
      '`allow_force_pushes` is on: anyone who may push can rewrite the branch’s history, reviewed commits included. Turn it off.',
  },
  'deletion-allowed': {
    change: 'widening',
    severity: 'high',
    title: 'Branch deletion allowed',
    description: '`allow_deletions` is on: the branch, with its protection, can be deleted. Turn it off.',
  },
  'creation-unblocked': {
    change: 'widening',
    severity: 'low',
    title: 'Branch creation no longer blocked',
    description:
      '`block_creations` is off: people outside the push restrictions may create branches that match the pattern.',
  },
  'branch-unlocked': {
    change: 'widening',
    severity: 'medium',
    title: 'Branch unlocked',
    description: '`lock_branch` is off: the read-only branch accepts updates again. Check that it should.',
  },
  'fork-sync-allowed': {
    change: 'widening',
    severity: 'low',
    title: 'Fork syncing allowed',
    description: '`allow_fork_syncing` is on: the locked branch can be synced from upstream.',
  },
  'push-restriction-lifted': {
    change: 'widening',
    severity: 'high',
    title: 'Push restrictions removed',
    description:
      '`restrictions` is gone: anyone with write access may merge, push and delete, not only the people, teams and apps it named. Restore it.',
  },
  'push-allowance-extended': {
    change: 'widening',
    severity: 'medium',
    title: 'Push access extended',
    description: 'Someone was added to `restrictions`: they may now push and merge. Check that they should.',
  },
  'pull-request-not-required': {
    change: 'widening',
    severity: 'high',
    title: 'Pull requests no longer required',
    description:
      '`required_pull_request_reviews` is gone: direct pushes are accepted and merges need no approval. Restore it.',
  },
  'bypass-extended': {
    change: 'widening',
    severity: 'high',
    title: 'Pull request bypass extended',
    description:
      'Someone was added to `bypass_pull_request_allowances`: they may push without a pull request or its reviews. Check that they should.',
  },
  'dismissal-extended': {
    change: 'widening',
    severity: 'medium',
    title: 'Review dismissal extended',
    description:
      'More people may dismiss reviews (`dismissal_restrictions` relaxed): a blocking review can be set aside. Check who.',
  },
  'reviews-reduced': {
    change: 'widening',
    severity: 'high',
    title: 'Fewer approving reviews required',
    description:
      '`required_approving_review_count` is lower: merges need fewer approvals. Restore the count.',
  },
  'stale-dismissal-off': {
    change: 'widening',
    severity: 'medium',
    title: 'Stale approvals no longer dismissed',
    description:
      '`dismiss_stale_reviews` is off: an approval still counts after new commits are pushed, so unreviewed code can be merged under it.',
  },
  'codeowner-review-off': {
    change: 'widening',
    severity: 'medium',
    title: 'Code owner review no longer required',
    description: '`require_code_owner_reviews` is off: changes merge without the review of the code owners.',
  },
  'last-push-approval-off': {
    change: 'widening',
    severity: 'medium',
    title: 'Approval of the last push no longer required',
    description:
      '`require_last_push_approval` is off: whoever pushed last can merge without someone else approving their push.',
  },
  'status-check-removed': {
    change: 'widening',
    severity: 'medium',
    title: 'Required status check removed',
    description:
      'A required status check (or `required_status_checks` altogether) is gone: merges no longer wait for it.',
  },
  'status-check-source-relaxed': {
    change: 'widening',
    severity: 'medium',
    title: 'A required status check may come from another source',
    description:
      'A required check’s `app_id` was dropped or changed: any app (or anyone with a token) can report it as passed. Pin it to the app that runs it.',
  },
  'up-to-date-not-required': {
    change: 'widening',
    severity: 'low',
    title: 'Branches no longer need to be up to date',
    description: '`strict` is off: a pull request can merge without being tested against the latest base.',
  },
  'signatures-not-required': {
    change: 'widening',
    severity: 'medium',
    title: 'Signed commits no longer required',
    description: '`required_signatures` is off: unsigned commits are accepted.',
  },
  'linear-history-not-required': {
    change: 'widening',
    severity: 'low',
    title: 'Linear history no longer required',
    description: '`required_linear_history` is off: merge commits are accepted.',
  },
  'conversation-resolution-not-required': {
    change: 'widening',
    severity: 'low',
    title: 'Conversation resolution no longer required',
    description: '`required_conversation_resolution` is off: pull requests merge with open review threads.',
  },
  'protection-added': narrowingRule('Branch protection added', 'The branch is protected now.'),
  'admins-enforced': narrowingRule('Administrators no longer exempt', '`enforce_admins` is on.'),
  'force-push-blocked': narrowingRule('Force pushes blocked', '`allow_force_pushes` is off.'),
  'deletion-blocked': narrowingRule('Branch deletion blocked', '`allow_deletions` is off.'),
  'creation-blocked': narrowingRule('Branch creation blocked', '`block_creations` is on.'),
  'branch-locked': narrowingRule('Branch locked', '`lock_branch` is on.'),
  'fork-sync-blocked': narrowingRule('Fork syncing blocked', '`allow_fork_syncing` is off.'),
  'push-restricted': narrowingRule('Pushes restricted', '`restrictions` limits who may push.'),
  'push-allowance-reduced': narrowingRule('Push access reduced', 'Someone was removed from `restrictions`.'),
  'pull-request-required': narrowingRule('Pull requests required', '`required_pull_request_reviews` is set.'),
  'bypass-reduced': narrowingRule('Pull request bypass reduced', 'Someone was removed from the bypass list.'),
  'dismissal-restricted': narrowingRule('Review dismissal restricted', 'Fewer people may dismiss reviews.'),
  'reviews-increased': narrowingRule('More approving reviews required', 'Merges need more approvals.'),
  'stale-dismissal-on': narrowingRule('Stale approvals dismissed', '`dismiss_stale_reviews` is on.'),
  'codeowner-review-on': narrowingRule('Code owner review required', '`require_code_owner_reviews` is on.'),
  'last-push-approval-on': narrowingRule(
    'Approval of the last push required',
    '`require_last_push_approval` is on.',
  ),
  'status-check-added': narrowingRule('Status check required', 'Merges wait for another check.'),
  'status-check-source-pinned': narrowingRule(
    'A required status check must come from a given app',
    'A required check is pinned to an app.',
  ),
  'up-to-date-required': narrowingRule('Branches must be up to date', '`strict` is on.'),
  'signatures-required': narrowingRule('Signed commits required', '`required_signatures` is on.'),
  'linear-history-required': narrowingRule('Linear history required', '`required_linear_history` is on.'),
  'conversation-resolution-required': narrowingRule(
    'Conversation resolution required',
    '`required_conversation_resolution` is on.',
  ),
})

export type ProtectionRule = keyof typeof RULES
