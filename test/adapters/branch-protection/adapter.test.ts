// What the branch-protection adapter recognises, rejects and allows (its fixture cases are
// checked by the one runner, test/adapters/fixtures.test.ts): REST exports, request bodies and
// safe-settings files by content, misspelt security keys failing closed, and semantic blame's
// question answered for odd versions.

import {readFileSync} from 'node:fs'
import {basename, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {describe, expect, it} from 'vitest'
import {branchProtection} from '../../../src/adapters/branch-protection/index.js'
import {awsIam} from '../../../src/adapters/aws-iam/index.js'
import {gcpIam} from '../../../src/adapters/gcp-iam/index.js'
import {k8sRbac} from '../../../src/adapters/k8s-rbac/index.js'
import {parseFile} from '../../../src/kernel/parse.js'
import {readDocument} from '../../../src/core/source.js'
import {filesUnder} from '../expected-findings.js'

const ROOT = fileURLToPath(new URL('../../../fixtures/branch-protection/', import.meta.url))
const FIXTURES = fileURLToPath(new URL('../../../fixtures/', import.meta.url))

/** The JSON and YAML documents of a fixture tree (every case's sides), as full paths. */
const fixtureFiles = (dir: string) =>
  filesUnder(dir)
    .filter((path) => /\.(json|ya?ml)$/.test(path) && basename(path) !== 'expected.json')
    .map((path) => join(dir, path))

const REST_EXAMPLE = {
  url: 'https://api.github.com/repos/acme/api/branches/main/protection',
  enforce_admins: {
    url: 'https://api.github.com/repos/acme/api/branches/main/protection/enforce_admins',
    enabled: true,
  },
  allow_force_pushes: {enabled: false},
}

describe('branch-protection detection by content', () => {
  it('claims REST exports, request bodies and safe-settings files', () => {
    expect(branchProtection.detect(REST_EXAMPLE)).toBe(true)
    expect(branchProtection.detect({url: REST_EXAMPLE.url})).toBe(true)
    expect(
      branchProtection.detect({required_status_checks: null, enforce_admins: true, restrictions: null}),
    ).toBe(true)
    expect(branchProtection.detect({branches: [{name: 'default', protection: {enforce_admins: true}}]})).toBe(
      true,
    )
    expect(
      branchProtection.detect({repository: {private: true}, branches: [{name: 'main', protection: null}]}),
    ).toBe(true)
    // A misspelt key in an entry is still claimed, so that the schema reports it.
    expect(branchProtection.detect({branches: [{name: 'main', protections: {enforce_admins: true}}]})).toBe(
      true,
    )
  })

  it('does not claim AWS, GCP, Kubernetes or workflow files', () => {
    for (const kind of ['aws-iam', 'gcp-iam', 'k8s-rbac']) {
      for (const path of fixtureFiles(join(FIXTURES, kind))) {
        let value: unknown
        try {
          value = parseFile({path, content: readFileSync(path)}).value
        } catch {
          continue
        }
        expect(branchProtection.detect(value), path).toBe(false)
      }
    }
    const workflow = {
      name: 'ci',
      on: {push: {branches: ['main']}},
      jobs: {test: {'runs-on': 'ubuntu-latest'}},
    }
    expect(branchProtection.detect(workflow)).toBe(false)
    expect(branchProtection.detect({apiVersion: 'v1', kind: 'ConfigMap', data: {restrictions: 'x'}})).toBe(
      false,
    )
    expect(branchProtection.detect({branches: ['main', 'develop']})).toBe(false)
    expect(branchProtection.detect({branches: {only: ['main']}})).toBe(false)
    expect(branchProtection.detect([REST_EXAMPLE])).toBe(false)
  })

  it('is not claimed by the AWS, GCP or Kubernetes adapters', () => {
    for (const path of fixtureFiles(ROOT)) {
      const value = parseFile({path, content: readFileSync(path)}).value
      for (const other of [awsIam, gcpIam, k8sRbac])
        expect(other.detect(value), `${other.kind}: ${path}`).toBe(false)
    }
  })

  it('fails closed on broken text that looks like branch protection', () => {
    expect(branchProtection.looksLike('{"enforce_admins": {"enabled": true')).toBe(true)
    expect(
      branchProtection.looksLike('branches:\n  - name: main\n    protection:\n      allow_force_pushes: ['),
    ).toBe(true)
    expect(
      branchProtection.looksLike('{"url": "https://api.github.com/repos/a/b/branches/main/protection", '),
    ).toBe(true)
    expect(branchProtection.looksLike('{"Statement": [{"Effect": "Allow"')).toBe(false)
    expect(branchProtection.looksLike('on:\n  push:\n    branches: [main\n')).toBe(false)
  })
})

describe('branch-protection schema', () => {
  const read = (text: string, path = 'github/branch-protection/main.json') =>
    readDocument({path, content: Buffer.from(text)}, 'detect')

  it('fails closed on a misspelt security key, naming file:line', async () => {
    const text = JSON.stringify({...REST_EXAMPLE, enforce_admin: {enabled: true}}, null, 2)
    const {document, problems} = await read(text)
    expect(document).toBeUndefined()
    expect(problems.map((p) => `${p.file}:${p.line} ${p.pointer} ${p.message}`)).toEqual([
      expect.stringMatching(/^github\/branch-protection\/main\.json:10 \/enforce_admin .*enforce_admins/),
    ])
  })

  it('fails closed on a misspelt key inside reviews and in a safe-settings entry', async () => {
    const yaml = [
      'branches:',
      '  - name: default',
      '    protection:',
      '      required_pull_request_reviews:',
      '        required_approving_review_count: 1',
      '        dismiss_stale_review: true',
      '      enforce_admins: true',
      '',
    ].join('\n')
    const {problems} = await read(yaml, '.github/settings.yml')
    expect(problems.map((p) => `${p.line} ${p.pointer}`)).toEqual([
      '6 /branches/0/protection/required_pull_request_reviews/dismiss_stale_review',
    ])
    const entry = 'branches:\n  - name: main\n    protections:\n      enforce_admins: true\n'
    expect((await read(entry, '.github/settings.yml')).problems.length).toBeGreaterThan(0)
  })

  it('requires the review count and the strict flag, whose defaults acldrift will not guess', async () => {
    const missing = await read(JSON.stringify({required_pull_request_reviews: {dismiss_stale_reviews: true}}))
    expect(missing.problems.map((p) => p.message).join()).toMatch(/required_approving_review_count/)
    const strict = await read(JSON.stringify({required_status_checks: {contexts: ['ci']}}))
    expect(strict.problems.map((p) => p.message).join()).toMatch(/strict/)
  })

  it('accepts the other sections of a safe-settings file as they are', async () => {
    const text = [
      'repository:',
      '  name: api',
      'labels:',
      '  - name: bug',
      'collaborators:',
      '  - username: marco',
      '    permission: push',
      'teams:',
      '  - name: platform',
      '    permission: admin',
      'branches:',
      '  - name: default',
      '    protection: null',
      '',
    ].join('\n')
    const {document, problems} = await read(text, '.github/settings.yml')
    expect(problems).toEqual([])
    expect(document?.kind).toBe('branch-protection')
  })
})

describe('branch-protection allows', () => {
  const witness = {branch: 'main', action: 'force-push', actor: 'someone', admin: false}

  it('answers for a version, a branch it does not protect, and odd values', async () => {
    const allows = (value: unknown, w: Record<string, unknown> = witness) =>
      branchProtection.allows(value, w, 'github/branch-protection/main.json', new Map(), {
        githubActions: {defaultPermissions: 'permissive'},
      })
    expect(await allows(REST_EXAMPLE)).toBe(false)
    expect(await allows({...REST_EXAMPLE, allow_force_pushes: {enabled: true}})).toBe(true)
    expect(await allows(REST_EXAMPLE, {...witness, branch: 'develop'})).toBe(true)
    expect(await allows({branches: [{name: 'main', protection: null}]})).toBe(true)
    for (const odd of [null, 7, 'main', [], {Statement: []}]) expect(await allows(odd)).toBe(false)
    expect(await allows(REST_EXAMPLE, {branch: 'main', action: 'teleport'})).toBe(false)
  })
})
