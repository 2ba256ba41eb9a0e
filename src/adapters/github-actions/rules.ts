// The rules of GitHub Actions findings: a job's token scopes, the secrets a call job passes to a
// reusable workflow, and the privileged triggers that start a job holding write access or secrets.
// Severities depend on the scope and the trigger: write on a scope that reaches code, releases,
// packages or cloud credentials is high, other write medium, read low; under `workflow_run` at
// least high, under `pull_request_target` critical.

import {declareRules} from '../../kernel/rules.js'

export const RULES = declareRules({
  'scope-widened': {
    change: 'widening',
    severity: ['medium', 'high', 'critical', 'low'],
    title: 'Token permission widened',
    description:
      'A job’s `GITHUB_TOKEN` holds a scope at a higher level than before (`read` → `write`, or a scope it did not hold). Give each job the least it needs in its own `permissions:` block.',
  },
  'default-permissions': {
    change: 'both',
    severity: ['medium', 'high', 'critical', 'low'],
    title: 'Permissions block removed',
    description:
      'No `permissions:` block applies to the job any more, so it gets the repository default (`githubActions.defaultPermissions`, permissive unless the config says restricted), or, in a reusable workflow, its caller’s token: a widening of each scope the default holds higher, a narrowing of each it holds lower. Put the block back.',
  },
  'job-added': {
    change: 'widening',
    severity: ['medium', 'high', 'critical', 'low'],
    title: 'New job with token access',
    description:
      'A new job’s token holds the scope. Check that it needs it, and give it its own `permissions:` block.',
  },
  'unknown-scope': {
    change: 'possible-widening',
    severity: ['medium', 'high', 'critical', 'low'],
    title: 'Permission scope acldrift does not know',
    description:
      'A job’s `permissions:` names a scope that acldrift’s list of GITHUB_TOKEN scopes (`src/adapters/github-actions/scopes.ts`, with the documentation it was read from and when) does not: GitHub adds scopes over time, and if it knows this one the job’s token now holds it; if it does not, GitHub rejects the workflow. Check the scope against GitHub’s documentation.',
  },
  'secrets-inherited': {
    change: 'widening',
    severity: ['high', 'critical'],
    title: 'All secrets passed to a reusable workflow',
    description:
      '`secrets: inherit` (or `toJSON(secrets)`) hands every secret of the repository to the called workflow. Pass the secrets it needs by name.',
  },
  'secret-passed': {
    change: 'widening',
    severity: ['medium', 'high', 'critical'],
    title: 'Secret passed to a reusable workflow',
    description: 'A call job now passes a secret to the called workflow. Check that the workflow needs it.',
  },
  'privileged-trigger': {
    change: 'widening',
    severity: ['critical', 'high'],
    title: 'Privileged trigger added',
    description:
      '`pull_request_target` (critical: the "pwn request" pattern) or `workflow_run` now starts a job that holds write access or secrets, with the base repository’s token and secrets, on input from forks. Do not check out or run the pull request’s code in such a job.',
  },
  'scope-narrowed': {
    change: 'narrowing',
    severity: 'low',
    title: 'Token permission narrowed',
    description: 'A job’s token holds a scope at a lower level. Informational.',
  },
  'job-removed': {
    change: 'narrowing',
    severity: 'low',
    title: 'Job removed',
    description: 'A job and its token are gone. Informational.',
  },
  'secrets-no-longer-inherited': {
    change: 'narrowing',
    severity: 'low',
    title: 'Secrets no longer inherited',
    description: 'A call job no longer passes every secret. Informational.',
  },
  'secret-no-longer-passed': {
    change: 'narrowing',
    severity: 'low',
    title: 'Secret no longer passed',
    description: 'A call job no longer passes a secret. Informational.',
  },
  'privileged-trigger-removed': {
    change: 'narrowing',
    severity: 'low',
    title: 'Privileged trigger removed',
    description:
      'A privileged trigger no longer starts a job holding write access or secrets. Informational.',
  },
})

export type ActionsRule = keyof typeof RULES
