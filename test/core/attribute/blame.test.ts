// Semantic blame as a pure function over a history: the first commit after which the access is
// allowed and stays allowed, through unrelated commits, removals and re-additions, renames,
// merged branches, the edge of the range read, and a shallow clone's cut.
import {describe, expect, it} from 'vitest'
import {
  blobsToRead,
  chainOf,
  changedSince,
  onlyRead,
  type Reading,
  semanticBlame,
  versionAt,
  versionsIn,
  walkOf,
} from '../../../src/core/attribute/blame.js'
import type {History, HistoryCommit, RawChange} from '../../../src/git/history.js'

const ZERO = '0'.repeat(40)
const change = (path: string, oldBlob: string, newBlob: string, oldPath = path): RawChange => ({
  status: oldPath === path ? (oldBlob === ZERO ? 'A' : 'M') : 'R100',
  oldMode: oldBlob === ZERO ? '000000' : '100644',
  newMode: '100644',
  oldBlob,
  newBlob,
  oldPath,
  path,
})
const commit = (sha: string, parents: string[], ...changes: RawChange[]): HistoryCommit => ({
  sha,
  parents,
  changes,
})
/** A history from commits listed oldest first (git log lists them newest first). */
const history = (...commits: HistoryCommit[]): History => ({
  commits: new Map(commits.map((c) => [c.sha, c])),
  order: commits.map((c) => c.sha).reverse(),
})
const allowedIn =
  (...blobs: string[]) =>
  (blob: string | null) =>
    blob !== null && blobs.includes(blob)

// c1 adds policy.json, c2 widens it, c3 changes another file, c4 reformats it; c5 renames it.
const c1 = commit('c1', [], change('policy.json', ZERO, 'b1'))
const c2 = commit('c2', ['c1'], change('policy.json', 'b1', 'b2'))
const c3 = commit('c3', ['c2'], change('README.md', 'r1', 'r2'))
const c4 = commit('c4', ['c3'], change('policy.json', 'b2', 'b3'))
const c5 = commit('c5', ['c4'], change('iam/policy.json', 'b3', 'b3', 'policy.json'))
const linear = history(c1, c2, c3, c4, c5)

describe('chainOf', () => {
  it("lists the file's version after each commit, newest first, following a rename back", () => {
    const chain = chainOf(linear, 'c5', 'iam/policy.json')
    expect(chain.states.map((s) => [s.sha, s.path, s.blob, s.touched])).toEqual([
      ['c5', 'iam/policy.json', 'b3', true],
      ['c4', 'policy.json', 'b3', true],
      ['c3', 'policy.json', 'b2', false],
      ['c2', 'policy.json', 'b2', true],
      ['c1', 'policy.json', 'b1', true],
    ])
    expect(chain.before).toEqual({path: 'policy.json', blob: null})
  })
})

describe('semanticBlame', () => {
  it('names the first commit of the last run of allowing versions, through reformatting and unrelated commits', () => {
    expect(semanticBlame(linear, 'c5', 'iam/policy.json', allowedIn('b2', 'b3'))).toEqual({sha: 'c2'})
    expect(semanticBlame(linear, 'c4', 'policy.json', allowedIn('b3'))).toEqual({sha: 'c4'})
  })

  it('names the commit that added the access back, not the one that first had it', () => {
    expect(semanticBlame(linear, 'c5', 'iam/policy.json', allowedIn('b1', 'b3'))).toEqual({sha: 'c4'})
  })

  it('names nothing when the committed target does not allow it', () => {
    expect(semanticBlame(linear, 'c5', 'iam/policy.json', allowedIn('b1'))).toEqual({
      sha: null,
      why: 'the access is not in the committed target: it comes from uncommitted changes',
    })
  })

  it('names nothing when the access predates the range read, or the file did not change in it', () => {
    const range = history(c2, c3, c4)
    expect(semanticBlame(range, 'c4', 'policy.json', allowedIn('b1', 'b2', 'b3'))).toEqual({
      sha: null,
      predates: true,
      why: 'the access predates the range of history read',
    })
    expect(semanticBlame(range, 'c4', 'policy.json', allowedIn('b2', 'b3'))).toEqual({sha: 'c2'})
    expect(semanticBlame(history(c3), 'c3', 'policy.json', () => true).why).toBe(
      'the file did not change in the range of history read',
    )
    expect(semanticBlame(range, 'c9', 'policy.json', allowedIn('b2')).why).toBe(
      'the target commit is outside the history read',
    )
  })

  it('never guesses past the cut of a shallow clone', () => {
    const shallow = {...history(c2, c3, c4), shallow: new Set(['c2'])}
    const result = semanticBlame(shallow, 'c4', 'policy.json', allowedIn('b2', 'b3'))
    expect(result.sha).toBeNull()
    expect(result.shallow).toBe(true)
    expect(result.why).toContain('the history is shallow: attribution saw 3 commits back to c2')
  })

  describe('merges', () => {
    // main: c1 → c2 → m; branch: c1 → d1 (its own widening) → m merges it.
    const d1 = commit('d1', ['c1'], change('policy.json', 'b1', 'bx'))
    const merged = (blob: string) =>
      history(c1, c2, d1, commit('m', ['c2', 'd1'], change('policy.json', 'b2', blob)))

    it('follows the access into the branch that introduced it, naming the merge', () => {
      expect(semanticBlame(merged('bx'), 'm', 'policy.json', allowedIn('bx'))).toEqual({
        sha: 'd1',
        mergedBy: 'm',
      })
      expect([...blobsToRead(merged('bx'), 'm', 'policy.json')].sort()).toEqual(['b1', 'b2', 'bx'])
    })

    it('blames the merge itself when its own resolution made the access', () => {
      expect(semanticBlame(merged('bm'), 'm', 'policy.json', allowedIn('bm'))).toEqual({sha: 'm'})
    })

    // Two long-lived branches that merge each other at every level (a release branch and main):
    // a_i merges b_(i-1) into a_(i-1), b_i merges a_(i-1) into b_(i-1), each resolving the file.
    // b0 made the access. Following every merged branch without remembering what was visited
    // costs 2^levels walks.
    const LEVELS = 40
    const ladder = (): History => {
      const commits = [
        commit('r', [], change('policy.json', ZERO, 'r')),
        commit('a0', ['r'], change('policy.json', 'r', 'a0')),
        commit('b0', ['r'], change('policy.json', 'r', 'b0')),
      ]
      for (let i = 1; i <= LEVELS; i++) {
        commits.push(commit(`a${i}`, [`a${i - 1}`, `b${i - 1}`], change('policy.json', `a${i - 1}`, `a${i}`)))
        commits.push(commit(`b${i}`, [`b${i - 1}`, `a${i - 1}`], change('policy.json', `b${i - 1}`, `b${i}`)))
      }
      return history(...commits)
    }
    const allowedSinceB0 = (blob: string | null) => blob !== null && !['r', 'a0'].includes(blob)

    it('walks each commit at most once, however the merges nest', () => {
      const nested = ladder()
      const visits = new Map<string, number>()
      const count = (sha: string) => visits.set(sha, (visits.get(sha) ?? 0) + 1)

      // Every commit but the last b, which a${LEVELS} does not merge.
      const reachable = [...nested.commits.keys()].filter((sha) => sha !== `b${LEVELS}`)
      const blobs = blobsToRead(nested, `a${LEVELS}`, 'policy.json', undefined, count)
      expect([...blobs].sort()).toEqual(reachable.sort())
      expect([...visits.keys()].sort()).toEqual(reachable.sort())
      expect(Math.max(...visits.values())).toBe(1)

      visits.clear()
      expect(semanticBlame(nested, `a${LEVELS}`, 'policy.json', allowedSinceB0, undefined, count)).toEqual({
        sha: 'b0',
        mergedBy: 'a1',
      })
      expect(Math.max(...visits.values())).toBe(1)
    })
  })
})

describe('changedSince (blame by change, for a witness that names no request)', () => {
  // b2 and b3 are the same document written twice (a reformat): `same` compares documents.
  const sameDoc = (a: string | null, b: string | null) => (a === 'b3' ? 'b2' : a) === (b === 'b3' ? 'b2' : b)
  const range = history(c2, c3, c4)

  it("names the one commit that changed the document since it was the baseline's, not a reformat after it", () => {
    expect(changedSince(range, 'c4', 'policy.json', sameDoc)).toEqual(['c2'])
  })

  it('names every commit that changed it since, when there are several: any of them may have brought the access', () => {
    const c6 = commit('c6', ['c5'], change('iam/policy.json', 'b3', 'b4'))
    expect(changedSince(history(c2, c3, c4, c5, c6), 'c6', 'iam/policy.json', sameDoc)).toEqual(['c6', 'c2'])
  })

  it("starts after the last version equal to the baseline's: a change undone before it is no candidate", () => {
    const back = commit('c5', ['c4'], change('policy.json', 'b3', 'b1'))
    const again = commit('c6', ['c5'], change('policy.json', 'b1', 'b5'))
    expect(changedSince(history(c2, c3, c4, back, again), 'c6', 'policy.json', sameDoc)).toEqual(['c6'])
  })

  it('names none when the range never changes the file, or a shallow clone cut it first', () => {
    expect(changedSince(history(c3), 'c3', 'policy.json', sameDoc)).toBeUndefined()
    const shallow: History = {...range, shallow: new Set(['c2'])}
    expect(changedSince(shallow, 'c4', 'policy.json', (a, b) => a === b)).toBeUndefined()
  })
})

describe('onlyRead (which versions the check read)', () => {
  // d1: the config (cfg1) excludes legacy/; d2 a README; d3 the config drops the exclude (cfg2);
  // d4 another README. legacy/admin.json (a1) never changes in the range.
  const d1 = commit('d1', [], change('acldrift.config.yaml', ZERO, 'cfg1'))
  const d2 = commit('d2', ['d1'], change('README.md', ZERO, 'r1'))
  const d3 = commit('d3', ['d2'], change('acldrift.config.yaml', 'cfg1', 'cfg2'))
  const d4 = commit('d4', ['d3'], change('README.md', 'r1', 'r2'))
  const dropped = history(d1, d2, d3, d4)
  const version = versionAt(dropped, 'acldrift.config.yaml', 'cfg0')
  const reading = (baseline: (path: string) => boolean): Reading => ({
    baseline,
    at: (sha) => (path) => !path.startsWith('legacy/') || version(sha) === 'cfg2',
    atTarget: new Map([['legacy/admin.json', 'a1']]),
  })
  const excluded = (path: string) => !path.startsWith('legacy/')

  it('names the commit whose config started reading a file no commit of the range changed', () => {
    const walks = onlyRead(walkOf, reading(excluded))
    expect(semanticBlame(dropped, 'd4', 'legacy/admin.json', allowedIn('a1'), walks)).toEqual({sha: 'd3'})
  })

  it('leaves a file the baseline read as it was: unchanged in the range, it predates it', () => {
    const walks = onlyRead(
      walkOf,
      reading(() => true),
    )
    expect(semanticBlame(dropped, 'd4', 'legacy/admin.json', allowedIn('a1'), walks).sha).toBeNull()
  })

  it('reads the config each commit left, and the version where the range starts below its changes', () => {
    expect(['d1', 'd2', 'd3', 'd4'].map(version)).toEqual(['cfg1', 'cfg1', 'cfg2', 'cfg2'])
    expect(versionAt(linear, 'acldrift.config.yaml', 'cfg0')('c5')).toBe('cfg0')
    expect([...versionsIn(dropped, 'acldrift.config.yaml')].sort()).toEqual(['cfg1', 'cfg2', null])
  })
})
