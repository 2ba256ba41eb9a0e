// The config's `documents:` globs that match no path: what `check` warns about, so that a mistyped
// glob never reads as a silent "0 documents".
import {describe, expect, it} from 'vitest'
import picomatch from 'picomatch'
import {unmatchedGlobs} from '../../src/core/classify.js'

const paths = ['iam/roles/app.json', 'iam/.hidden/ops.json', 'k8s/rbac.yaml', 'README.md']

describe('unmatchedGlobs', () => {
  it('keeps the globs that match no path, in config order, with their kinds', () => {
    const documents = [
      {glob: 'iam/roles/**', kind: 'aws-iam'},
      {glob: 'iam/role/**', kind: 'aws-iam'},
      {glob: 'k8s/*.yml', kind: 'k8s-rbac'},
      {glob: 'k8s/*.yaml', kind: 'k8s-rbac'},
    ] as const
    expect(unmatchedGlobs([...documents], paths)).toEqual([documents[1], documents[2]])
  })

  it('matches dot folders and whole paths from the repository root, as the inventory assigns', () => {
    expect(unmatchedGlobs([{glob: 'iam/**/ops.json', kind: 'aws-iam'}], paths)).toEqual([])
    // Relative to the root: a glob without its folder matches no nested file.
    expect(unmatchedGlobs([{glob: 'app.json', kind: 'aws-iam'}], paths)).toEqual([
      {glob: 'app.json', kind: 'aws-iam'},
    ])
  })

  it('every glob is unmatched in an empty source; no globs, nothing to warn about', () => {
    expect(unmatchedGlobs([{glob: '**', kind: 'aws-iam'}], [])).toEqual([{glob: '**', kind: 'aws-iam'}])
    expect(unmatchedGlobs([], paths)).toEqual([])
  })

  it('tells the same as running every glob on every path, for globs with braces, escapes, prefixes and negation', () => {
    const all = [...paths, '.github/workflows/ci.yml', 'a*b', 'docs/CODEOWNERS', 'iam', 'iamx/p.json', 'b/x']
    const globs = [
      '.github/workflows/*.{yml,yaml}',
      '.github/CODEOWNERS',
      'docs/CODEOWNERS',
      'a\\*b',
      './iam/roles/app.json',
      '!iam/**',
      '{a,b}/x',
      'iam',
      'iam/**',
      'iamx/*.json',
      'k8s/[rs]bac.yaml',
      '**/ops.json',
      'nowhere/**',
    ]
    // Paths an index sorts around a glob's literal folder: beside it (`-`, `.` sort before `/`),
    // in it, after it, and beyond the Basic Multilingual Plane (UTF-16 order would misplace them).
    const near = [
      'docs/CODEOWNERS-old',
      'docs/CODEOWNERS.bak',
      'docs/CODEOWNERS0',
      'iam-x/a.json',
      'iam/roles/𝒳.json',
    ]
    const unusual = [
      'iam/roles/\uffff.json',
      'iam/roles/😀/x.json',
      'iam/\ue000',
      'iam/😀',
      '.github/workflows/ci.yaml',
    ]
    const inIndexOrder = (list: string[]) =>
      [...list].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))
    for (const glob of [...globs, 'iam/roles/*.json', 'iam/😀', 'iam/\ue000', 'docs/CODEOWNERS-old'])
      for (const candidates of [all, all.slice(0, 4), [], [...all, ...near, ...unusual], near, unusual]) {
        const naive = candidates.some((path) => picomatch(glob, {dot: true})(path))
        const expected = naive ? [] : [{glob, kind: 'aws-iam'}]
        expect(unmatchedGlobs([{glob, kind: 'aws-iam'}], candidates), glob).toEqual(expected)
        // Given as an index lists them: the same answer from the paths under the glob's folder.
        expect(unmatchedGlobs([{glob, kind: 'aws-iam'}], inIndexOrder(candidates), 'index'), glob).toEqual(
          expected,
        )
      }
  })
})
