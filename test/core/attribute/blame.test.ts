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
  walkOfAll,
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
  it("lists the file's versions, newest first, each with the commit that made it and how many kept it, following a rename back", () => {
    const chain = chainOf(linear, 'c5', 'iam/policy.json')
    expect(chain.states.map((s) => [s.sha, s.path, s.blob, s.touched, s.span])).toEqual([
      ['c5', 'iam/policy.json', 'b3', true, 1],
      ['c4', 'policy.json', 'b3', true, 1],
      // c3 did not change it: it kept c2's version
      ['c2', 'policy.json', 'b2', true, 2],
      ['c1', 'policy.json', 'b1', true, 1],
    ])
    expect(chain.before).toEqual({path: 'policy.json', blob: null})
  })

  it('stands the commits below the oldest change for the version before it, down to the oldest commit read', () => {
    const chain = chainOf(history(c2, c3, c4), 'c4', 'README.md')
    expect(chain.states.map((s) => [s.sha, s.blob, s.touched, s.span])).toEqual([
      ['c3', 'r2', true, 2],
      ['c2', 'r1', false, 1],
    ])
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

describe('walks jump from one change of the file to the next', () => {
  // A long main line in which policy.json changes 4 times; a branch forks between two of them
  // (from a commit that leaves it alone), widens it, and a merge brings it in. 600 other commits.
  const longHistory = (): {history: History; touching: Set<string>} => {
    const commits = [commit('m0', [], change('policy.json', ZERO, 'p0'))]
    let blob = 'p0'
    const edit = (sha: string, parents: string[], to: string) => {
      commits.push(commit(sha, parents, change('policy.json', blob, to)))
      blob = to
    }
    for (let i = 1; i <= 600; i++) {
      const sha = `m${i}`
      if (i === 300) edit(sha, [`m${i - 1}`, 'x2'], 'pm')
      else if (i % 150 === 0) edit(sha, [`m${i - 1}`], `p${i}`)
      else commits.push(commit(sha, [`m${i - 1}`], change(`other-${i}.json`, ZERO, `o${i}`)))
      if (i === 160) {
        // the branch: x1 leaves the file alone, x2 widens it
        commits.push(commit('x1', ['m160'], change('notes.md', ZERO, 'n1')))
        commits.push(commit('x2', ['x1'], change('policy.json', 'p150', 'px')))
      }
    }
    const all = history(...commits)
    const touching = new Set(
      [...all.commits.values()]
        .filter((c) => c.changes.some((x) => x.path === 'policy.json'))
        .map((c) => c.sha),
    )
    return {history: all, touching}
  }

  it('visits only the commits that change the file, each once, to read its versions and to blame', () => {
    const {history: long, touching} = longHistory()
    const visits: string[] = []
    const blobs = blobsToRead(long, 'm600', 'policy.json', undefined, (sha) => visits.push(sha))
    expect([...blobs].sort()).toEqual(['p0', 'p150', 'p450', 'p600', 'pm', 'px'].sort())
    expect(visits.filter((sha) => !touching.has(sha))).toEqual([])
    expect(new Set(visits).size).toBe(visits.length)

    visits.length = 0
    // px and the merge's resolution pm both allow it: the branch's commit made it.
    const blamed = semanticBlame(long, 'm449', 'policy.json', allowedIn('px', 'pm'), undefined, (sha) =>
      visits.push(sha),
    )
    expect(blamed).toEqual({sha: 'x2', mergedBy: 'm300'})
    expect(visits.filter((sha) => !touching.has(sha))).toEqual([])
    expect(new Set(visits).size).toBe(visits.length)
  })

  it('counts the commits it stood for in the shallow cut it reports', () => {
    const {history: long} = longHistory()
    const cut: History = {...long, shallow: new Set(['m0'])}
    expect(semanticBlame(cut, 'm100', 'policy.json', allowedIn('p0')).why).toContain(
      'attribution saw 101 commits back to m0',
    )
  })

  // A reference walk, one commit at a time (as blame walked before it jumped): each commit of the
  // chain with the file's name there, the change it made, and the version it left.
  const stepByStep = (h: History, start: string, path: string) => {
    const steps: Array<{sha: string; path: string; change: RawChange | undefined}> = []
    for (let at: string | undefined = start, name = path; at !== undefined && h.commits.has(at);) {
      const c: HistoryCommit = h.commits.get(at)!
      const own = c.changes.find((x) => x.path === name)
      const away = c.changes.find((x) => x.status.startsWith('R') && x.oldPath === name)
      const made = own ?? (away && {...away, path: name, newBlob: ZERO})
      steps.push({sha: at, path: name, change: made})
      if (made) name = made.oldPath
      at = c.parents[0]
    }
    const oldest = steps.findLast((step) => step.change !== undefined)?.change
    const before = oldest && (oldest.oldBlob === ZERO ? null : oldest.oldBlob)
    return steps.map((step, i) => {
      const made = steps.slice(i).find((below) => below.change !== undefined)?.change
      const blob = made === undefined ? (before ?? null) : made.newBlob === ZERO ? null : made.newBlob
      return [step.sha, step.path, blob, step.change !== undefined]
    })
  }

  it('gives every commit of the chain the version it left, as a walk one commit at a time does, on random histories with branches, merges and renames', () => {
    let seed = 7
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648
      return seed % n
    }
    const names = ['a.json', 'b.json', 'c.json']
    for (let round = 0; round < 150; round++) {
      const commits: HistoryCommit[] = []
      const size = 5 + random(40)
      for (let i = 0; i < size; i++) {
        // mostly the previous commit, sometimes an older one (a branch); sometimes a merge
        const first = i === 0 ? [] : [`k${random(3) === 0 ? random(i) : i - 1}`]
        const parents = i > 1 && random(4) === 0 ? [...first, `k${random(i)}`] : first
        const changes: RawChange[] = []
        for (let j = random(3); j > 0; j--) {
          const path = names[random(names.length)]!
          const kind = random(5)
          if (kind === 0) changes.push(change(names[random(names.length)]!, `v${i}o`, `v${i}r${j}`, path))
          else changes.push(change(path, kind === 1 ? ZERO : `v${i}p${j}`, kind === 2 ? ZERO : `v${i}n${j}`))
        }
        commits.push(commit(`k${i}`, parents, ...changes))
      }
      // a range that starts after the first commits, sometimes
      const h = history(...commits.slice(random(3)))
      for (const start of h.commits.keys())
        for (const path of names) {
          const expanded = chainOf(h, start, path).states.flatMap((state, i, all) => {
            // the commits a state stands for: its own, and those above it that kept its version
            const commitsOf = stepByStep(h, start, path).slice(
              all.slice(0, i).reduce((sum, s) => sum + s.span, 0),
              all.slice(0, i + 1).reduce((sum, s) => sum + s.span, 0),
            )
            expect(commitsOf.at(-1)?.[0]).toBe(state.sha)
            return commitsOf.map(([sha, name], k) => [
              sha,
              name,
              state.blob,
              state.touched && k === commitsOf.length - 1,
            ])
          })
          expect(expanded).toEqual(stepByStep(h, start, path))
        }
      // Two files walked together: a state wherever either changed, each file's version in it.
      const pair = ['a.json', 'b.json']
      for (const start of h.commits.keys()) {
        const together = walkOfAll(pair, new Map())(h, start, pair[0]!)
        const states = [...together.states()]
        // each commit's versions, and whether it changed either file (for the commit that made a state)
        const expanded = states.flatMap((state) =>
          Array.from({length: state.span}, (_, k) => [state.blob, state.touched && k === state.span - 1]),
        )
        const [a, b] = pair.map((path) => {
          const unchanged = walkOf(h, start, path).before === undefined
          return stepByStep(h, start, path).map(([, , blob, touched]) => [unchanged ? null : blob, touched])
        })
        expect(expanded).toEqual(
          a!.map(([blob, touched], i) => [JSON.stringify([blob, b![i]![0]]), touched || b![i]![1]]),
        )
      }
    }
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
    config: 'acldrift.config.yaml',
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
