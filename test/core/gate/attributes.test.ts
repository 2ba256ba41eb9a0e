// Which .gitattributes lines transform content (https://git-scm.com/docs/gitattributes), and which
// paths a pattern names (gitignore's matching rules, which attributes follow), for the root's
// file and for a folder's.

import {describe, expect, it} from 'vitest'
import {attributeChanges, patternMatcher, transforms} from '../../../src/core/gate/attributes.js'
import {VersionCache} from '../../../src/core/gate/versions.js'

describe('.gitattributes', () => {
  it('finds the attributes that transform content, set or with a value, macros expanded', () => {
    const text = [
      '# comment',
      '*.json filter=crypt diff',
      'iam/** export-subst -text',
      '[attr]secret ident working-tree-encoding=UTF-16LE',
      '*.yaml secret',
      '"with space/*.yml" ident',
      '*.md text eol=crlf',
      '*.png binary',
      'policies/* -filter !ident',
    ].join('\n')
    expect(transforms(text)).toEqual([
      {pattern: '*.json', attribute: 'filter'},
      {pattern: 'iam/**', attribute: 'export-subst'},
      {pattern: '*.yaml', attribute: 'ident'},
      {pattern: '*.yaml', attribute: 'working-tree-encoding'},
      {pattern: 'with space/*.yml', attribute: 'ident'},
    ])
  })

  it('matches a pattern without a slash at any depth, one with a slash from the root', () => {
    const json = patternMatcher('*.json')
    expect(['a.json', 'iam/x/b.json', '.github/c.json'].every(json)).toBe(true)
    expect(json('a.yaml')).toBe(false)
    const iam = patternMatcher('/iam/**')
    expect(iam('iam/a.json')).toBe(true)
    expect(iam('x/iam/a.json')).toBe(false)
    // Attributes do not recurse into folders: `k8s/**` names the files inside, `k8s/` none.
    expect(patternMatcher('k8s/')('k8s/rbac/role.yaml')).toBe(false)
    expect(patternMatcher('k8s')('k8s/role.yaml')).toBe(false)
    expect(patternMatcher('k8s/**')('k8s/rbac/role.yaml')).toBe(true)
    expect(patternMatcher('CODEOWNERS')('.github/CODEOWNERS')).toBe(true)
  })

  it("reads a folder's patterns from its folder, and its folder's name as text", () => {
    const json = patternMatcher('*.json', 'iam/')
    expect(['iam/a.json', 'iam/x/b.json'].every(json)).toBe(true)
    expect(['a.json', 'iamx/a.json', 'x/iam/a.json'].some(json)).toBe(false)
    const anchored = patternMatcher('/reports.json', 'iam/')
    expect(anchored('iam/reports.json')).toBe(true)
    expect(anchored('iam/x/reports.json')).toBe(false)
    expect(patternMatcher('x/*.json', 'iam/')('iam/x/a.json')).toBe(true)
    // A folder named like a glob matches only itself.
    expect(patternMatcher('*.json', '[a]/')('[a]/p.json')).toBe(true)
    expect(patternMatcher('*.json', '[a]/')('a/p.json')).toBe(false)
  })

  it("expands a folder's attributes with the root's macros; a folder cannot define one", () => {
    const root = '[attr]secret filter=crypt\n'
    expect(transforms('*.json secret\n', root)).toEqual([{pattern: '*.json', attribute: 'filter'}])
    expect(transforms('[attr]mine ident\n*.json mine\n', '')).toEqual([])
  })

  describe('attributeChanges', () => {
    const readable = ['iam/reports.json', 'k8s/rbac/reader.yaml']
    const sides = (files: Record<string, string>) =>
      new Map(Object.entries(files).map(([path, text]) => [path, Buffer.from(text)]))
    const changes = (before: Record<string, string>, after: Record<string, string>) =>
      attributeChanges(
        Object.keys(after),
        sides(before),
        sides(after),
        async () => readable,
        new VersionCache('/nonexistent'),
      ).then((found) => found.map((p) => p.finding))

    it("reports a folder's transforming line on the access configs below it", async () => {
      const [finding, ...more] = await changes({}, {'iam/.gitattributes': '*.md text\n*.json filter=crypt\n'})
      expect(more).toEqual([])
      expect(finding).toMatchObject({
        file: 'iam/.gitattributes',
        rule: 'config-weakened',
        line: 2,
        witness: {setting: 'iam/.gitattributes', pattern: '*.json', attribute: 'filter'},
      })
      expect(finding!.message).toContain('iam/reports.json')
      expect(finding!.message).not.toContain('reader.yaml')
    })

    it('passes lines on folders without access configs, and lines already there', async () => {
      expect(await changes({}, {'docs/.gitattributes': '*.json filter=crypt\n'})).toEqual([])
      const same = {'iam/.gitattributes': '*.json ident\n'}
      expect(await changes(same, same)).toEqual([])
    })

    it("reports a folder's unchanged line that a new root macro makes transforming", async () => {
      const folder = {'k8s/.gitattributes': 'rbac/** secret\n'}
      const found = await changes(
        {'.gitattributes': '[attr]secret diff\n', ...folder},
        {'.gitattributes': '[attr]secret ident\n', ...folder},
      )
      expect(found.map((f) => [f.file, f.witness])).toEqual([
        ['k8s/.gitattributes', {setting: 'k8s/.gitattributes', pattern: 'rbac/**', attribute: 'ident'}],
      ])
    })
  })
})
