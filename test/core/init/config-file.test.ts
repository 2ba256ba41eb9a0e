// The globs init writes: GitHub's fixed places, never a glob that assigns a tracked file a kind it is not.
import picomatch from 'picomatch'
import {describe, expect, it} from 'vitest'
import {documentGlobs} from '../../../src/core/init/config-file.js'
import type {Kind} from '../../../src/kernel/types.js'

/** Each tracked path with its detected kind (or none): no glob may assign it another. */
function check(tracked: Record<string, Kind | null>) {
  const kinds = new Map(Object.entries(tracked).filter((e): e is [string, Kind] => e[1] !== null))
  const globs = documentGlobs(kinds, Object.keys(tracked))
  for (const [path, kind] of Object.entries(tracked)) {
    // The first glob that matches decides, as in the config; a file no glob matches is read by content.
    const assigned = globs.find((g) => picomatch(g.glob, {dot: true})(path))?.kind
    if (assigned !== undefined) expect(assigned, path).toBe(kind)
  }
  return globs.map((g) => `${g.kind} ${g.glob}`)
}

/** The places GitHub reads workflows and CODEOWNERS from: listed whether or not a file is there. */
const FIXED = [
  'github-actions .github/workflows/*.{yml,yaml}',
  'codeowners .github/CODEOWNERS',
  'codeowners CODEOWNERS',
  'codeowners docs/CODEOWNERS',
]

describe('documentGlobs', () => {
  it("only GitHub's fixed places: every other file is read by content, repository-wide", () => {
    // No glob narrowed to the folders of today: a policy in a new folder is read like these.
    expect(
      check({
        'iam/a.json': 'aws-iam',
        'k8s/rbac/role.yaml': 'k8s-rbac',
        '.github/workflows/ci.yml': 'github-actions',
        'package.json': null,
      }),
    ).toEqual(FIXED)
  })

  it('nothing detected, nothing written: every file will be recognised by content', () => {
    expect(check({'package.json': null})).toEqual([])
  })

  it('a fixed place holding a file of no kind is not claimed', () => {
    expect(
      check({
        '.github/workflows/ci.yml': 'github-actions',
        '.github/workflows/notes.yml': null,
      }),
    ).toEqual(FIXED.slice(1))
  })
})
