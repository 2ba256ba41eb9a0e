// The GITHUB_TOKEN permission scopes GitHub documents, with the levels above `none` each accepts.
// GitHub adds scopes over time (artifact-metadata and copilot-requests came after the others), so
// the list is data with its source and the day it was read: a scope it does not name is compared
// as a possible widening with a note (model.ts, compare.ts), never rejected, since GitHub may
// know it by now.
//
// Sources, read 2026-12-06:
// - https://docs.github.com/en/actions/writing-workflows/choosing-what-your-workflow-does/controlling-permissions-for-github_token
//   (the table of available permissions and their levels: read, write, none; `id-token` write
//   only; `models` read only);
// - https://docs.github.com/en/copilot/how-tos/copilot-sdk/auth/server-to-server-tokens
//   (`copilot-requests: write` lets a workflow's token make Copilot requests, billed to the
//   organization; no read level is documented);
// - https://github.blog/changelog/2026-01-13-new-fine-grained-permission-for-artifact-metadata-is-now-generally-available
//   (`artifact-metadata`).

export type Level = 'none' | 'read' | 'write'

export const SCOPES_READ_ON = '2026-12-06'

export const SCOPES: Readonly<Record<string, readonly Level[]>> = {
  actions: ['read', 'write'],
  'artifact-metadata': ['read', 'write'],
  attestations: ['read', 'write'],
  checks: ['read', 'write'],
  'code-quality': ['read', 'write'],
  contents: ['read', 'write'],
  'copilot-requests': ['write'],
  deployments: ['read', 'write'],
  discussions: ['read', 'write'],
  'id-token': ['write'],
  issues: ['read', 'write'],
  models: ['read'],
  packages: ['read', 'write'],
  pages: ['read', 'write'],
  'pull-requests': ['read', 'write'],
  'repository-projects': ['read', 'write'],
  'security-events': ['read', 'write'],
  statuses: ['read', 'write'],
  'vulnerability-alerts': ['read'],
}

/** A scope of the list that `name` may be a slip for (same letters in another case, or one or two edits away). */
export function nearestScope(name: string): string | undefined {
  const lower = name.toLowerCase()
  return Object.keys(SCOPES).find((scope) => scope === lower || editDistance(scope, lower) <= 2)
}

function editDistance(a: string, b: string): number {
  let row = Array.from({length: b.length + 1}, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const next = [i]
    for (let j = 1; j <= b.length; j++)
      next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1))
    row = next
  }
  return row[b.length]!
}
