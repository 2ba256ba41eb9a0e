// Which paths the repository's CODEOWNERS gives an owner, for branch protection's code-owner
// review: GitHub asks a code owner's approval only of pull requests that change an owned file
// (https://docs.github.com/en/repositories/configuring-branches-and-merges-in-your-repository/managing-protected-branches/about-protected-branches#require-pull-request-reviews-before-merging).
// A path is unowned when no rule matches it or the last rule that matches names no owner.

import {Undecidable} from '../../engine/undecidable.js'
import type {CodeOwnership, Document} from '../../kernel/types.js'
import {regions} from './compare.js'
import {isLocation} from './locations.js'
import {decidingRule, effectiveFile, rulesOf} from './model.js'

/**
 * The CODEOWNERS file GitHub reads among `documents` and a path it leaves without owners: a real
 * file of `paths` when there is one, else the shortest path the patterns leave unowned (every
 * path is one when the file is missing). When the patterns are too complex to decide, a path
 * is still named (the first real one): code-owner review is then not taken to cover it.
 */
export async function codeOwnershipOf(
  documents: Map<string, Document>,
  paths: readonly string[],
): Promise<CodeOwnership> {
  const file = effectiveFile('CODEOWNERS', (p) => documents.has(p) && isLocation(p)) ?? null
  const some = paths.find((p) => !isLocation(p)) ?? 'README.md'
  if (file === null) return {file, unowned: some}
  const rules = rulesOf(documents.get(file)!.value)
  const owned = (path: string) => (decidingRule(rules, path)?.principals.length ?? 0) > 0
  // A file other than CODEOWNERS itself, which a pull request seldom changes alone.
  const real = paths.find((p) => !isLocation(p) && !owned(p)) ?? paths.find((p) => !owned(p))
  if (real !== undefined) return {file, unowned: real}
  try {
    // Regions are where two sides' owners may differ: against an owner of every path, those the
    // file leaves unowned are among them.
    const everyPath = rulesOf({rules: [{pattern: '*', owners: ['@every-path']}]})
    const unowned = (r: {lastA: number}) => r.lastA < 0 || rules[r.lastA]!.principals.length === 0
    const region = regions(everyPath, rules).find(unowned)
    return {file, unowned: region?.example ?? null}
  } catch (error) {
    if (!(error instanceof Undecidable)) throw error
    return {file, unowned: some}
  }
}
