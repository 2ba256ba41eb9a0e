// Which .gitattributes lines transform content (https://git-scm.com/docs/gitattributes), and which
// paths a pattern names (gitignore's matching rules, which attributes follow).

import {describe, expect, it} from 'vitest'
import {patternMatcher, transforms} from '../../../src/core/gate/attributes.js'

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
})
