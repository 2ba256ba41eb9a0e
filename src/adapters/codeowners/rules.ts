// The rules of CODEOWNERS findings: who may approve a change to which path. High when the paths
// concerned hold sensitive files (CI, ownership, acldrift's own files, infrastructure code).

import {declareRules} from '../../kernel/rules.js'

export const RULES = declareRules({
  'approver-added': {
    change: 'widening',
    severity: ['medium', 'high'],
    title: 'An approver was added',
    description:
      'Someone new can approve changes to the paths a target rule decides (the last matching rule names them). Check that they should review those paths; a team is compared by name, its members are not known offline.',
  },
  'owners-removed': {
    change: 'widening',
    severity: ['medium', 'high'],
    title: 'Code owners removed',
    description:
      'Paths that needed a code owner’s review no longer do: the rule that decides them lists no owners, no rule matches them any more, or the file is gone. Anyone’s approval then counts. Give the paths owners again.',
  },
  'undecidable-patterns': {
    change: 'possible-widening',
    severity: 'medium',
    title: 'Possible new approvers',
    description:
      'The patterns are too many or too complex to compare exactly (over 100,000 automaton states): each new rule may widen who can approve changes. Review it by hand, or simplify the patterns.',
  },
  'line-skipped': {
    change: 'possible-widening',
    severity: 'medium',
    title: 'A CODEOWNERS line GitHub skips',
    description:
      'GitHub skips a line with invalid syntax (an owner that is not @user, @org/team or an email, a pattern it does not support: `!` negation, `[ ]` ranges, `\\#`) and reads the rest of the file: the owners the line names are not required for the paths it names. Fix the line (GitHub shows the error on the file).',
  },
  'owners-added': {
    change: 'narrowing',
    severity: 'low',
    title: 'Code owners added',
    description: 'Paths without owners now need a code owner’s review. Informational.',
  },
  'approver-removed': {
    change: 'narrowing',
    severity: 'low',
    title: 'An approver was removed',
    description: 'Someone can no longer approve changes to the paths a rule decides. Informational.',
  },
})

export type CodeownersRule = keyof typeof RULES
