// Baseline changes: two versions of the baseline snapshot compared by the same step as check,
// each widening a finding about the snapshot file with the access's own id; an edit of only its
// claimed commit; and the versions read from the file's contents (new, unchanged, invalid on either side).
import {describe, expect, it} from 'vitest'
import {DEFAULT_ADAPTER_SETTINGS} from '../../../src/adapters/index.js'
import {compareChanged} from '../../../src/core/compare.js'
import {
  baselineChanges,
  baselineWidenings,
  type SnapshotFile,
} from '../../../src/core/gate/baseline-changes.js'
import {VersionCache} from '../../../src/core/gate/versions.js'
import {buildSnapshot, parseSnapshot, serializeSnapshot} from '../../../src/core/snapshot.js'
import {parseFile} from '../../../src/kernel/parse.js'
import type {Document, InputProblem} from '../../../src/kernel/types.js'

const FILE = '.acldrift/baseline.json'
const policy = (action: string) =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [{Effect: 'Allow', Action: action, Resource: 'arn:aws:s3:::data/*'}],
  })
const doc = (path: string, action: string): Document => ({
  ...parseFile({path, content: Buffer.from(policy(action))}),
  kind: 'aws-iam',
})
const docs = (...list: Document[]) => new Map(list.map((d) => [d.path, d]))
const snapshotText = (...list: Document[]) =>
  serializeSnapshot(
    buildSnapshot(
      {type: 'worktree', ref: null, commit: null, documents: docs(...list), problems: [], notes: []},
      new Date('2026-06-01T00:00:00Z'),
    ),
  )

describe('baselineWidenings', async () => {
  // The documents as the snapshot container format holds them: keyed FILE#NAME, lines in the file.
  const held = async (...list: Document[]) =>
    (await parseSnapshot(FILE, Buffer.from(snapshotText(...list)))).held
  const was = await held(doc('iam/a.json', 's3:GetObject'), doc('iam/b.json', 's3:PutObject'))
  const is = await held(doc('iam/a.json', 's3:*'))
  const versions = new Map<string, Map<string, Document>>([
    ['old', was],
    ['new', is],
  ])
  const file: SnapshotFile = {
    path: FILE,
    documentsAt: async (blob) => (blob === null ? undefined : versions.get(blob)),
  }

  it('makes each widening a baseline-widened finding about the snapshot file, with the access id', async () => {
    const {found, notes} = await baselineWidenings(was, is, file, DEFAULT_ADAPTER_SETTINGS)
    const direct = await compareChanged(was, is, DEFAULT_ADAPTER_SETTINGS)
    const widenings = direct.findings.filter((f) => f.change !== 'narrowing')
    expect(direct.findings.some((f) => f.change === 'narrowing')).toBe(true)
    expect(notes).toEqual([])
    expect(found.map((p) => p.finding.id)).toEqual(widenings.map((f) => f.id))
    expect(widenings[0]!.line).toBeGreaterThan(1)
    expect(found[0]!.path).toBe(FILE)
    expect(found[0]!.finding).toMatchObject({
      kind: 'aws-iam',
      file: FILE,
      document: 'iam/a.json',
      line: widenings[0]!.line,
      pointer: '/documents/0/value/Statement/0',
      change: 'widening',
      rule: 'baseline-widened',
      witness: widenings[0]!.witness,
      commit: null,
      approval: null,
    })
    expect(found[0]!.finding.message).toBe(
      `The baseline snapshot now accepts access it did not (${widenings[0]!.rule} in iam/a.json): ${widenings[0]!.message}`,
    )
    expect('baselineLocation' in found[0]!.finding).toBe(false)
  })

  it('asks each version of the snapshot whether it allows the witness', async () => {
    const {found} = await baselineWidenings(was, is, file, DEFAULT_ADAPTER_SETTINGS)
    expect(await found[0]!.holds('new')).toBe(true)
    expect(await found[0]!.holds('old')).toBe(false)
    expect(await found[0]!.holds(null)).toBe(false)
  })
})

describe('baselineChanges', () => {
  const versions = new VersionCache('/nonexistent')
  const run = async (before: string | undefined, after: string | undefined) => {
    const side = (text?: string) => new Map(text === undefined ? [] : [[FILE, Buffer.from(text)]])
    const errors: InputProblem[] = []
    const notes: string[] = []
    const found = await baselineChanges(
      FILE,
      side(before),
      side(after),
      versions,
      errors,
      notes,
      DEFAULT_ADAPTER_SETTINGS,
    )
    return {found, errors, notes}
  }
  const reads = snapshotText(doc('iam/a.json', 's3:GetObject'))
  const all = snapshotText(doc('iam/a.json', 's3:*'))

  it('compares nothing for a new or unchanged snapshot', async () => {
    expect(await run(undefined, reads)).toEqual({
      found: [],
      errors: [],
      notes: [`${FILE}: the baseline snapshot is new`],
    })
    expect(await run(reads, reads)).toEqual({found: [], errors: [], notes: []})
  })

  it("places each widening on its statement's line in the snapshot file", async () => {
    const {found, errors} = await run(reads, all)
    expect(errors).toEqual([])
    expect(found.map((p) => [p.finding.rule, p.finding.pointer])).toEqual([
      ['baseline-widened', '/documents/0/value/Statement/0'],
    ])
    // The line after `"Statement": [` in the snapshot file, where the statement object starts.
    const statement = all.split('\n').findIndex((l) => l.includes('"Statement": [')) + 2
    expect(found[0]!.finding.line).toBe(statement)
  })

  it('reports a claim of another commit alone (baseline-moved), not a re-snapshot that moves it with the documents', async () => {
    const claiming = (text: string, commit: string) => {
      const value = JSON.parse(text) as {source: {commit: string | null}}
      value.source.commit = commit
      return `${JSON.stringify(value, null, 2)}\n`
    }
    const [taken, moved] = ['a'.repeat(40), 'b'.repeat(40)]
    const {found, errors} = await run(claiming(reads, taken), claiming(reads, moved))
    expect(errors).toEqual([])
    expect(found.map((p) => p.finding)).toMatchObject([
      {
        rule: 'baseline-moved',
        severity: 'medium',
        change: 'widening',
        pointer: '/source/commit',
        line:
          claiming(reads, moved)
            .split('\n')
            .findIndex((l) => l.includes(moved)) + 1,
        before: taken,
        after: moved,
      },
    ])
    // A re-snapshot: documents and claim move together; only its widenings are reported.
    const resnapshot = await run(claiming(reads, taken), claiming(all, moved))
    expect(resnapshot.found.map((p) => p.finding.rule)).toEqual(['baseline-widened'])
  })

  it('fails closed on a target version that does not validate', async () => {
    const {found, errors} = await run(reads, '{"schemaVersion": 1}')
    expect(found).toEqual([])
    expect(errors.length).toBeGreaterThan(0)
    expect(errors[0]!.file).toBe(FILE)
  })

  it('compares a reference version that does not validate as if it were empty', async () => {
    const {found, notes} = await run('not json', all)
    expect(notes).toEqual([`${FILE}: its previous version does not validate; compared as if it were empty`])
    expect(found.length).toBeGreaterThan(0)
    expect(found.every((p) => p.finding.rule === 'baseline-widened')).toBe(true)
  })
})
