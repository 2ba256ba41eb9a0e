// Rule names as the code and the docs write them, for test/structure.test.ts: the rule names a
// source file assigns or compares (`rule: 'x'`, `rule === 'x'`), which of them a table does not
// declare, and whether a page documents a rule (its name in backticks).

import type {Rules} from '../../src/kernel/rules.js'

const RULE_LITERAL = /\brule(?:\s*:\s*|\s*[!=]==?\s*|\s*=\s*)'([a-z0-9]+(?:-[a-z0-9]+)*)'/g

/** The rule names `text` assigns or compares, in order. */
export function ruleLiterals(text: string): string[] {
  return [...text.matchAll(RULE_LITERAL)].map((m) => m[1]!)
}

/** The names that `rules` does not declare, each once. */
export function undeclared(names: string[], rules: Rules): string[] {
  return [...new Set(names.filter((name) => !Object.hasOwn(rules, name)))]
}

/** Whether one of `pages` names the rule in backticks. */
export function documentedIn(id: string, ...pages: string[]): boolean {
  return pages.some((page) => page.includes(`\`${id}\``))
}
