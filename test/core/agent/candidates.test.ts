// The agent hook's pre-filter (core/agent/candidates.ts) rules paths out before anything heavy
// loads: it must never rule out a path the inventory reads. Checked against the real
// descriptors: every path some kind's or container format's `candidates` admits, every fixture
// file some detector recognises by its content (at its path in the case's repository and in
// this one), and every path a config glob assigns, on tricky paths too.

import {readdirSync, readFileSync} from 'node:fs'
import {join, relative} from 'node:path'
import picomatch from 'picomatch'
import {describe, expect, it} from 'vitest'
import {ADAPTERS} from '../../../src/adapters/index.js'
import {SCANNED_CONTAINERS} from '../../../src/containers/index.js'
import {compileGlobs, mayBeAccessConfig} from '../../../src/core/agent/candidates.js'
import {CANDIDATE_PATHS} from '../../../src/core/classify.js'
import {matchesPathRules} from '../../../src/kernel/candidates.js'
import {InvalidInputError} from '../../../src/kernel/errors.js'
import {BUILT_FILES} from '../../../src/kernel/package-files.js'
import {parseFile} from '../../../src/kernel/parse.js'
import type {ParsedFile, SourceFile} from '../../../src/kernel/types.js'

const ROOT = new URL('../../../', import.meta.url).pathname
const DESCRIPTORS = [
  ...ADAPTERS.map((a) => ({name: a.kind, candidates: a.candidates})),
  ...SCANNED_CONTAINERS.map((c) => ({name: c.format, candidates: c.candidates})),
]

function filesUnder(dir: string): string[] {
  return readdirSync(dir, {withFileTypes: true}).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [join(dir, entry.name)],
  )
}

/** A fixture file at its path in this repository and, inside a case's side, in the case's. */
const FIXTURE_FILES = filesUnder(join(ROOT, 'fixtures')).map((file) => {
  const path = relative(ROOT, file)
  const side = /^fixtures\/[^/]+\/[^/]+\/(baseline|target)([./].*)$/.exec(path)
  const inCase = side === null ? [] : [side[2]!.startsWith('/') ? side[2]!.slice(1) : `${side[1]}${side[2]}`]
  return {file, paths: [path, ...inCase]}
})

/** The detectors that recognise `file`'s content, whatever its path: kinds and container formats. */
async function claimants(file: SourceFile): Promise<string[]> {
  const claimed: string[] = []
  let parsed: ParsedFile | undefined
  try {
    parsed = parseFile(file)
  } catch (error) {
    if (!(error instanceof InvalidInputError)) throw error
  }
  for (const adapter of ADAPTERS) {
    if (adapter.parse !== undefined) continue // CODEOWNERS: a format of its own, claimed by path
    if (parsed !== undefined && adapter.detect(parsed.value)) claimed.push(adapter.kind)
  }
  for (const container of SCANNED_CONTAINERS) {
    let own: ParsedFile | undefined = parsed
    if (container.parse !== undefined) {
      try {
        own = await container.parse(file)
      } catch (error) {
        if (!(error instanceof InvalidInputError)) throw error
        own = undefined
      }
    }
    if (own !== undefined && container.detect(own)) claimed.push(container.format)
  }
  return claimed
}

describe('the agent hook pre-filter', () => {
  it('is the build of the registry: dist/data/candidate-paths.json is CANDIDATE_PATHS', () => {
    const built = readFileSync(new URL('data/candidate-paths.json', BUILT_FILES), 'utf8')
    expect(JSON.parse(built), 'run `npm run build`').toEqual(CANDIDATE_PATHS)
  })

  it('admits every fixture file a detector recognises by content', async () => {
    const missed: string[] = []
    for (const {file, paths} of FIXTURE_FILES) {
      // Both paths end in the same file name: read as the same format.
      const who = await claimants({path: paths.at(-1)!, content: readFileSync(file)})
      for (const path of paths)
        if (who.length > 0 && !mayBeAccessConfig(path, [])) missed.push(`${path} (${who.join(', ')})`)
    }
    expect(missed).toEqual([])
  })

  // Paths at the edges of each descriptor's rules, and whether some kind or format reads them.
  const TRICKY: ReadonlyArray<[path: string, read: boolean]> = [
    ['iam/Policy.JSON', true],
    ['a.b.c/policy.json', true],
    ['.json', true],
    ['policy.json.bak', false],
    ['dir.json/policy', true], // no extension: AWS CLI output, by content,
    ['k8s/role.YML', true],
    ['.github/workflows/CI.YAML', true],
    ['.GitHub/Workflows/ci.yml', true],
    ['.github/workflows/sub/ci.yml', true], // YAML, offered to every kind by content
    ['CODEOWNERS', true],
    ['.github/CODEOWNERS', true],
    ['docs/CODEOWNERS', true],
    ['src/CODEOWNERS', true], // by content alone,
    ['src/app.sh', false],
    ['deploy/Kustomization', true],
    ['deploy/kustomization', true], // by content alone,
    ['charts/app/Chart.yaml', true],
    ['charts/app/templates/_helpers.tpl', false],
    ['serverless.YML', true],
    ['infra/main.tf', true],
    ['infra/main.TF', false],
    ['infra/main.tf.json', true],
    ['cfn/stack.template', true],
    ['src/app.ts', false],
    ['README.md', false],
    ['Dockerfile', true], // by content alone,
    ['policies/payroll.policy', false],
    ['exports/role.TXT', true],
    ['exports/policy.out', true],
  ]

  it.each(TRICKY)('%s: admitted exactly when some descriptor reads it (%s)', (path, read) => {
    const readers = DESCRIPTORS.filter((d) => matchesPathRules(d.candidates, path)).map((d) => d.name)
    expect(readers.length > 0, readers.join(', ')).toBe(read)
    expect(mayBeAccessConfig(path, [])).toBe(read)
  })

  it('admits every path a glob of the config assigns, as picomatch matches it', async () => {
    const globs = [
      'policies/*',
      '**/*.policy',
      'iam/{a,b}/*.txt',
      'exact[1].conf',
      '.secret/**',
      'roles/**/!(*.md)',
    ]
    const paths = [
      'policies/payroll.policy',
      'policies/sub/payroll.policy',
      'x/y/z.policy',
      '.hidden/z.policy',
      'iam/a/p.txt',
      'iam/c/p.txt',
      'exact[1].conf',
      'exact1.conf',
      '.secret/key',
      'roles/admin',
      'roles/deep/readme.md',
      'src/app.ts',
    ]
    const compiled = await compileGlobs(globs)
    for (const path of paths) {
      const assigned = globs.some((glob) => picomatch(glob, {dot: true})(path))
      if (assigned) expect(mayBeAccessConfig(path, compiled), path).toBe(true)
      // No more than the candidates and the globs: a path neither assigns is ruled out.
      else expect(mayBeAccessConfig(path, compiled), path).toBe(mayBeAccessConfig(path, []))
    }
  })
})
