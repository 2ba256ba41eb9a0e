// GitHub Actions: the GITHUB_TOKEN permissions, reusable-workflow secrets and privileged
// triggers of the workflows in .github/workflows/. Each workflow file stands alone (a reusable
// workflow's jobs get their caller's token, which is taken as up to write-all), so the kind is
// compared file by file. The heavy modules load on first use.

import {type Adapter, compareFileByFile, sameAccess} from '../adapter.js'
import {detect, looksLike, WORKFLOW_PATHS} from './detect.js'
import {RULES} from './rules.js'
import {defaultPermissions, githubActionsSettings} from './settings.js'

export const githubActions: Adapter = {
  kind: 'github-actions',
  rules: RULES,
  candidates: [WORKFLOW_PATHS],
  locations: ['.github/workflows/*.{yml,yaml}'],
  detect,
  looksLike,
  scope: 'file',
  compare: async (baseline, target, changed, context) => {
    const {compareWorkflowFile} = await import('./compare.js')
    const mode = defaultPermissions(context)
    return compareFileByFile(changed, baseline, target, context, (file, before, after) =>
      compareWorkflowFile(file, before, after, mode),
    )
  },
  allows: async (value, witness, _file, _others, context) =>
    (await import('./evaluate.js')).allowsWitness(value, witness, defaultPermissions(context)),
  // An approval covers the access it recorded, and the same job holding a lower level, under
  // fewer triggers, or a named secret where `*` was approved (covers.ts).
  covers: async (approved, access) =>
    sameAccess(approved, access) || (await import('./covers.js')).impliedBy(approved, access),
  // An uncovered finding shows a request of its access that no approval holds (covers.ts).
  witnessBeyond: async (finding, _key, _baseline, _target, approved) =>
    (await import('./covers.js')).witnessBeyond(finding, approved),
  describe: async (finding, witness) => (await import('./compare.js')).describeFinding(finding, witness),
  settings: githubActionsSettings,
}
