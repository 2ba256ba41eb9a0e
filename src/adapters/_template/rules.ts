// The rules the _template kind's findings name, as data (the kernel's declareRules): what each
// reports, its severity, its title (how its messages start) and what it means. compare.ts picks
// one for each difference, so a rule name is a typed value and every rule is declared here; the
// structure test wants each rule documented in the README or the kind's docs page.

import {declareRules, narrowingRule} from '../../kernel/rules.js'

export const RULES = declareRules({
  'everyone-granted': {
    change: 'widening',
    severity: 'high',
    title: 'Access granted to every subject',
    description:
      'A grant whose subject is `*` lets every subject do what it permits. Name the subjects instead.',
  },
  'grant-added': {
    change: 'widening',
    severity: 'medium',
    title: 'Access granted',
    description: 'A grant lets a subject do what the baseline did not. Approve it if it is intended.',
  },
  'grant-removed': narrowingRule('Access removed', 'A grant of the baseline no longer applies.'),
})

export type TemplateKindRule = keyof typeof RULES
