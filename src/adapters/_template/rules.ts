// The rules the _template kind's findings name, as data: whether a rule reports a narrowing, its
// severity, and the words its message begins with. compare.ts picks one for each difference, so
// a rule name is a typed value and every rule is declared here.

import type {Severity} from '../../kernel/types.js'

interface RuleSpec {
  narrowing: boolean
  severity: Severity
  text: string
}

export const RULES = {
  'everyone-granted': {narrowing: false, severity: 'high', text: 'Access granted to every subject'},
  'grant-added': {narrowing: false, severity: 'medium', text: 'Access granted'},
  'grant-removed': {narrowing: true, severity: 'low', text: 'Access removed'},
} as const satisfies Record<string, RuleSpec>

export type TemplateKindRule = keyof typeof RULES
