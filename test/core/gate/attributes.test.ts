// Which attributes act on a path, and which .gitattributes line decides it
// (https://git-scm.com/docs/gitattributes): the deeper folder's file over the shallower, a later
// line over an earlier one, per attribute; macros defined at the root; `-attr` unset, `!attr`
// unspecified. Then the gate's judgement: a change that makes a transforming attribute act on
// an access config, blamed on the changed file and line, whether a line was added or removed.

import {describe, expect, it} from 'vitest'
import {
  AttributeFiles,
  attributeChanges,
  type EffectiveAttributes,
  parseAttributes,
  patternMatcher,
} from '../../../src/core/gate/attributes.js'
import {VersionCache} from '../../../src/core/gate/versions.js'
import {checkAttributes} from '../../../src/git/index.js'

const files = (entries: Record<string, string>) => new AttributeFiles(new Map(Object.entries(entries)))

describe('.gitattributes', () => {
  it('reads each line: the pattern, the states in check-attr words, macros only at the root', () => {
    const text = [
      '# comment',
      '*.json filter=crypt -diff !ident text',
      '"with space/*.yml" ident',
      '[attr]secret filter=crypt',
      '!negated ident',
    ].join('\n')
    const root = parseAttributes('.gitattributes', text)
    expect(root.lines.map((l) => [l.line, l.pattern, l.states])).toEqual([
      [
        2,
        '*.json',
        [
          ['filter', 'crypt'],
          ['diff', 'unset'],
          ['ident', 'unspecified'],
          ['text', 'set'],
        ],
      ],
      [3, 'with space/*.yml', [['ident', 'set']]],
    ])
    expect(root.macros).toMatchObject([{name: 'secret', line: 4, states: [['filter', 'crypt']]}])
    expect(parseAttributes('iam/.gitattributes', text).macros).toEqual([])
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

  describe('the state of an attribute on a path, and the line that decides it', () => {
    const decided = (entries: Record<string, string>, path: string, attribute = 'filter') => {
      const {state, line, macro} = files(entries).decide(path, attribute)
      return {state, at: line && `${line.file}:${line.line}`, macro: macro?.name}
    }

    it('a deeper folder overrides the root, for its own files only', () => {
      const both = {'.gitattributes': '*.json filter=crypt\n', 'iam/.gitattributes': '*.json -filter\n'}
      expect(decided(both, 'iam/a.json')).toEqual({
        state: 'unset',
        at: 'iam/.gitattributes:1',
        macro: undefined,
      })
      expect(decided(both, 'iam/x/a.json').state).toBe('unset')
      expect(decided(both, 'gcp/a.json')).toEqual({state: 'crypt', at: '.gitattributes:1', macro: undefined})
      // `!attr` decides too: unspecified, whatever a shallower file says.
      expect(decided({...both, 'iam/.gitattributes': '*.json !filter\n'}, 'iam/a.json').state).toBe(
        'unspecified',
      )
    })

    it('a later line overrides an earlier one, per attribute', () => {
      const root = '*.json filter=crypt ident\n*.json -filter\n'
      expect(decided({'.gitattributes': root}, 'a.json').state).toBe('unset')
      expect(decided({'.gitattributes': root}, 'a.json', 'ident')).toMatchObject({
        state: 'set',
        at: '.gitattributes:1',
      })
      const reordered = '*.json -filter\n*.json filter=crypt\n'
      expect(decided({'.gitattributes': reordered}, 'a.json')).toMatchObject({
        state: 'crypt',
        at: '.gitattributes:2',
      })
      expect(decided({'.gitattributes': reordered}, 'a.yaml').state).toBe('unspecified')
    })

    it('expands a macro that is set, with the root’s last definition; a folder cannot define one', () => {
      const root = '[attr]secret ident\n[attr]secret filter=crypt\n'
      expect(
        decided({'.gitattributes': root, 'iam/.gitattributes': '*.json secret\n'}, 'iam/a.json'),
      ).toEqual({
        state: 'crypt',
        at: 'iam/.gitattributes:1',
        macro: 'secret',
      })
      expect(
        decided({'.gitattributes': root, 'iam/.gitattributes': '*.json -secret\n'}, 'iam/a.json').state,
      ).toBe('unspecified')
      expect(decided({'iam/.gitattributes': '[attr]mine filter=x\n*.json mine\n'}, 'iam/a.json').state).toBe(
        'unspecified',
      )
      // git's built-in macro
      expect(decided({'.gitattributes': '*.json binary\n'}, 'a.json', 'text').state).toBe('unset')
    })

    it("fills a line's states from the last: a macro after `-attr` on the same line does not override it", () => {
      const root = '[attr]secret filter=crypt\n'
      expect(decided({'.gitattributes': `${root}*.json -filter secret\n`}, 'a.json').state).toBe('crypt')
      expect(decided({'.gitattributes': `${root}*.json secret -filter\n`}, 'a.json').state).toBe('unset')
    })
  })

  it('decides every state as git check-attr does', async () => {
    const sides: Array<Record<string, string>> = [
      {'.gitattributes': '*.json filter=crypt\n', 'iam/.gitattributes': '*.json -filter\n'},
      {'.gitattributes': '*.json filter=crypt\n', 'iam/.gitattributes': '*.json !filter\n'},
      {
        '.gitattributes': '[attr]plain -filter\n*.json filter=crypt\n',
        'iam/.gitattributes': '*.json !plain\n',
      },
      {'.gitattributes': '[attr]s filter=crypt ident\n*.json -filter s\n*.yaml s -ident\nk8s/** -s\n'},
      {
        '.gitattributes': '*.json -filter\n*.json filter=crypt\n/iam/*.json export-subst\n',
        'k8s/.gitattributes': 'rbac/** ident\n',
      },
      {'k8s/rbac/.gitattributes': '/reader.yaml working-tree-encoding=UTF-16LE\n*.yaml binary\n'},
    ]
    const paths = [
      'iam/reports.json',
      'iam/x/a.json',
      'a.json',
      'k8s/rbac/reader.yaml',
      'k8s/x.yaml',
      'b.yaml',
    ]
    const names = ['filter', 'ident', 'export-subst', 'working-tree-encoding', 'text']
    const contents = sides.map((side) => new Map(Object.entries(side).map(([p, t]) => [p, Buffer.from(t)])))
    const byGit = await checkAttributes(contents, paths, names)
    sides.forEach((side, i) => {
      const evaluated = files(side)
      for (const path of paths)
        for (const name of names)
          expect([i, path, name, evaluated.decide(path, name).state]).toEqual([
            i,
            path,
            name,
            byGit[i]!.get(path)?.get(name),
          ])
    })
  })

  describe('attributeChanges', () => {
    const readable = ['iam/reports.json', 'k8s/rbac/reader.yaml']
    const side = (entries: Record<string, string>) =>
      new Map(Object.entries(entries).map(([path, text]) => [path, Buffer.from(text)]))
    // The states as the evaluation above computes them (the e2e tests take git's).
    const evaluated: EffectiveAttributes = async (sides, paths, names) =>
      sides.map((s) => {
        const parsed = new AttributeFiles(new Map([...s].map(([p, c]) => [p, c.toString('utf8')])))
        return new Map(paths.map((p) => [p, new Map(names.map((n) => [n, parsed.decide(p, n).state]))]))
      })
    const changes = (before: Record<string, string>, after: Record<string, string>) =>
      attributeChanges(
        '/nonexistent',
        side(before),
        side(after),
        async () => readable,
        evaluated,
        new VersionCache('/nonexistent'),
      ).then((found) => found.map((p) => p.finding))
    const root = {'.gitattributes': '*.json filter=crypt\n'}
    const cancelled = {...root, 'iam/.gitattributes': '# keep policies readable\n*.json -filter\n'}

    it("reports a folder's transforming line on the access configs below it", async () => {
      const [finding, ...more] = await changes({}, {'iam/.gitattributes': '*.md text\n*.json filter=crypt\n'})
      expect(more).toEqual([])
      expect(finding).toMatchObject({
        file: 'iam/.gitattributes',
        rule: 'config-weakened',
        line: 2,
        witness: {setting: 'iam/.gitattributes', pattern: '*.json', attribute: 'filter', state: 'crypt'},
      })
      expect(finding!.message).toContain('iam/reports.json')
      expect(finding!.message).not.toContain('reader.yaml')
    })

    it('passes lines on folders without access configs, lines already there, and a new cancelling line', async () => {
      expect(await changes({}, {'docs/.gitattributes': '*.json filter=crypt\n'})).toEqual([])
      const same = {'iam/.gitattributes': '*.json ident\n'}
      expect(await changes(same, same)).toEqual([])
      expect(await changes(root, cancelled)).toEqual([])
      // A second line that sets what already acts changes nothing.
      expect(await changes(root, {...root, 'iam/.gitattributes': '*.json filter=crypt\n'})).toEqual([])
    })

    it('blames the cancelling line removed, or its file deleted, and names the line that now acts', async () => {
      for (const after of [root, {...root, 'iam/.gitattributes': '# keep policies readable\n'}]) {
        const [finding, ...more] = await changes(cancelled, after)
        expect(more).toEqual([])
        expect(finding).toMatchObject({
          file: 'iam/.gitattributes',
          line: null,
          before: '*.json -filter',
          after: '*.json filter=crypt',
          witness: {setting: 'iam/.gitattributes', pattern: '*.json', attribute: 'filter', state: 'crypt'},
        })
        expect(finding!.message).toMatch(
          /`\*\.json -filter` \(line 2 before\).*\.gitattributes:1.*iam\/reports\.json/,
        )
      }
    })

    it('blames a cancelling macro made unspecified (`!plain`), and a reorder that puts the transform last', async () => {
      // `!filter` itself decides (unspecified: no filter runs); `!plain` leaves the macro unexpanded.
      expect(await changes(cancelled, {...cancelled, 'iam/.gitattributes': '*.json !filter\n'})).toEqual([])
      const macro = {'.gitattributes': '[attr]plain -filter\n*.json filter=crypt\n'}
      const [unexpanded] = await changes(
        {...macro, 'iam/.gitattributes': '*.json plain\n'},
        {...macro, 'iam/.gitattributes': '*.json !plain\n'},
      )
      expect(unexpanded).toMatchObject({file: 'iam/.gitattributes', line: null, before: '*.json plain'})
      const [reordered] = await changes(
        {'.gitattributes': '*.json filter=crypt\n*.json -filter\n'},
        {'.gitattributes': '*.json -filter\n*.json filter=crypt\n'},
      )
      expect(reordered).toMatchObject({file: '.gitattributes', line: 2, after: '*.json filter=crypt'})
    })

    it("blames a redefined macro on its definition, through a folder's unchanged line", async () => {
      const folder = {'k8s/.gitattributes': 'rbac/** secret\n'}
      const found = await changes(
        {'.gitattributes': '# macros\n[attr]secret diff\n', ...folder},
        {'.gitattributes': '# macros\n[attr]secret ident\n', ...folder},
      )
      expect(found).toMatchObject([
        {
          file: '.gitattributes',
          line: 2,
          witness: {setting: '.gitattributes', pattern: 'rbac/**', attribute: 'ident', state: 'set'},
        },
      ])
      expect(found[0]!.message).toContain('k8s/rbac/reader.yaml')
    })

    it('blames a cancelling macro redefined on its definition', async () => {
      const macro = (definition: string) => ({
        '.gitattributes': `# secrets\n${definition}\n*.yaml filter=crypt\n`,
        'k8s/.gitattributes': 'rbac/** plain\n',
      })
      const found = await changes(macro('[attr]plain -filter'), macro('[attr]plain -diff'))
      expect(found).toMatchObject([
        {
          file: '.gitattributes',
          line: 2,
          before: '[attr]plain -filter',
          witness: {pattern: 'rbac/**', attribute: 'filter', state: 'crypt'},
        },
      ])
      expect(found[0]!.message).toMatch(
        /through `rbac\/\*\* plain` \(k8s\/\.gitattributes:1\).*k8s\/rbac\/reader\.yaml/,
      )
    })

    it('reports a transform whose value changed', async () => {
      const [finding] = await changes(root, {'.gitattributes': '*.json filter=other\n'})
      expect(finding).toMatchObject({file: '.gitattributes', line: 1, witness: {state: 'other'}})
    })
  })
})
