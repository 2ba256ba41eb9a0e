// The globs init writes match exactly the files detected as each kind among the tracked files.
import picomatch from 'picomatch'
import {describe, expect, it} from 'vitest'
import {documentGlobs} from '../../../src/core/init/config-file.js'
import type {Kind} from '../../../src/kernel/types.js'

/** Each tracked path with its detected kind (or none), and what the globs must give back. */
function check(tracked: Record<string, Kind | null>) {
  const kinds = new Map(Object.entries(tracked).filter((e): e is [string, Kind] => e[1] !== null))
  const globs = documentGlobs(kinds, Object.keys(tracked))
  for (const [path, kind] of Object.entries(tracked)) {
    // The first glob that matches decides, as in the config.
    const assigned = globs.find((g) => picomatch(g.glob, {dot: true})(path))?.kind ?? null
    expect(assigned, path).toBe(kind)
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
  it('one glob per directory tree when nothing else is there', () => {
    expect(
      check({
        'iam/a.json': 'aws-iam',
        'iam/roles/b.json': 'aws-iam',
        'k8s/rbac/role.yaml': 'k8s-rbac',
        'k8s/rbac/binding.yml': 'k8s-rbac',
        'package.json': null,
      }),
    ).toEqual([
      'aws-iam iam/**/*.json',
      'k8s-rbac k8s/rbac/**/*.yml',
      'k8s-rbac k8s/rbac/**/*.yaml',
      ...FIXED,
    ])
  })

  it('narrower globs, then single files, around files of another kind or of none', () => {
    expect(
      check({
        'infra/iam/a.json': 'aws-iam',
        'infra/iam/b.json': 'aws-iam',
        'infra/iam/notes.json': null,
        'infra/iam/prod/c.json': 'aws-iam',
        'infra/gcp/policy.json': 'gcp-iam',
        'infra/app.json': null,
      }),
    ).toEqual([
      'aws-iam infra/iam/a.json',
      'aws-iam infra/iam/b.json',
      'aws-iam infra/iam/prod/**/*.json',
      'gcp-iam infra/gcp/**/*.json',
      ...FIXED,
    ])
  })

  it('files at the root by name, and glob characters in names taken literally', () => {
    expect(
      check({
        'policy.json': 'aws-iam',
        'other.json': null,
        'iam [old]/a*.json': 'aws-iam',
        'iam [old]/ab.json': null,
      }),
    ).toEqual(['aws-iam policy.json', 'aws-iam iam \\[old\\]/a\\*.json', ...FIXED])
  })

  it('nothing detected, nothing written: every file will be recognised by content', () => {
    expect(check({'package.json': null})).toEqual([])
  })

  it('workflows and CODEOWNERS at their fixed places by those places, elsewhere like any file', () => {
    expect(
      check({
        '.github/workflows/ci.yml': 'github-actions',
        '.github/workflows/release.yaml': 'github-actions',
        'templates/workflows/ci.yml': 'github-actions',
        'docs/CODEOWNERS': 'codeowners',
      }),
    ).toEqual([...FIXED.slice(0, 1), 'github-actions templates/workflows/**/*.yml', ...FIXED.slice(1)])
  })

  it('a fixed place holding a file of no kind is not claimed', () => {
    expect(
      check({
        '.github/workflows/ci.yml': 'github-actions',
        '.github/workflows/notes.yml': null,
      }),
    ).toEqual(['github-actions .github/workflows/ci.yml', ...FIXED.slice(1)])
  })
})
