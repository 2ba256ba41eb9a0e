// Every rule a finding can carry, with where it is documented: what the SARIF report gives code
// scanning (a description, help, and a link to the section that explains the rule). Rules are
// keyed `kind/rule`, because two kinds may give one rule name different meanings (`scope-widened`
// in Kubernetes RBAC and in GitHub Actions); the gate's own findings have kind `acldrift`.

import {ADAPTERS} from '../adapters/index.js'
import type {RuleCatalogue} from '../kernel/rules.js'
import {GATE_RULES} from './gate/rules.js'

/** The repository's documentation, where a rule's help links to. */
const DOCS = 'https://github.com/acldrift/acldrift/blob/main/'

/** The section of the README or of a kind's page that lists each kind's rules (test/structure.test.ts checks it). */
export const RULE_SECTIONS: Readonly<Record<string, {file: string; heading: string}>> = {
  'aws-iam': {file: 'README.md', heading: '## What "widening" means'},
  'k8s-rbac': {file: 'docs/k8s-rbac.md', heading: '## Rules'},
  'gcp-iam': {file: 'docs/gcp-iam.md', heading: '## Rules'},
  'github-actions': {file: 'docs/github-actions.md', heading: '## What is reported'},
  codeowners: {file: 'docs/codeowners.md', heading: '## What widens'},
  'branch-protection': {file: 'docs/branch-protection.md', heading: '## The access model'},
  acl: {file: 'docs/acl.md', heading: '## Rules and severities'},
  acldrift: {file: 'README.md', heading: '## Approvals, policy and protected files'},
}

/** GitHub's anchor of a Markdown heading: lower case, punctuation dropped, spaces as hyphens. */
export function headingAnchor(heading: string): string {
  return heading
    .replace(/^#+\s*/, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-')
}

export function ruleCatalogue(): RuleCatalogue {
  const tables = [...ADAPTERS.map((a) => [a.kind, a.rules] as const), ['acldrift', GATE_RULES] as const]
  return Object.fromEntries(
    tables.flatMap(([kind, rules]) => {
      const section = RULE_SECTIONS[kind]
      if (section === undefined)
        throw new Error(`internal: no documentation section for the rules of ${kind}`)
      const helpUri = `${DOCS}${section.file}#${headingAnchor(section.heading)}`
      return Object.entries(rules).map(([id, rule]) => [`${kind}/${id}`, {...rule, kind, helpUri}])
    }),
  )
}
