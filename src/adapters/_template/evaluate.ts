// What one version of a _template file allows. A request is a subject and a permission; it is
// allowed when some grant matches both, where `*` matches any run of characters and `?` one.
// The grants are compiled for the comparison engine (one allow rule per grant, a glob on each
// dimension), and one request is decided directly: semantic blame asks this of every version of
// a file, valid or not, and what cannot be read allows nothing.

import {type AnyLeaf, type GlobLeaf, stringDomain} from '../../engine/domains.js'
import {type Formula, leaf} from '../../engine/formula.js'
import {compileGlob, globMatches} from '../../engine/glob.js'
import type {Dimension, Rule} from '../../engine/search.js'
import type {Witness} from '../../kernel/types.js'
import {detect} from './detect.js'

export const SUBJECT = 'subject'
export const PERMISSION = 'permission'

export interface Grant {
  /** its place in `grants`, for its JSON pointer */
  index: number
  subject: string
  permission: string
  raw: unknown
}

/** The grants of a parsed file; anything that is not a grant (in a file that is invalid) is skipped. */
export function grantsOf(value: unknown): Grant[] {
  if (!detect(value)) return []
  const grants = (value as {grants?: unknown}).grants
  if (!Array.isArray(grants)) return []
  return grants.flatMap((raw: unknown, index) => {
    const {subject, permission} = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<
      string,
      unknown
    >
    return typeof subject === 'string' && typeof permission === 'string'
      ? [{index, subject, permission, raw}]
      : []
  })
}

const pattern = (text: string) => compileGlob(text, {wildcards: true})

function patternLeaf(text: string): Formula<AnyLeaf> {
  const glob = pattern(text)
  const l: GlobLeaf = {key: `glob:${glob.key}`, type: 'glob', glob}
  return leaf(l)
}

/** One allow rule per grant, for the engine's search. */
export function rulesOf(grants: Grant[]): Rule[] {
  return grants.map((g) => ({
    index: g.index,
    effect: 'allow',
    predicates: new Map([
      [SUBJECT, patternLeaf(g.subject)],
      [PERMISSION, patternLeaf(g.permission)],
    ]),
  }))
}

/** The request space of two versions; the literal subjects and permissions make readable witnesses. */
export function dimensions(grants: Grant[]): Dimension[] {
  const literals = (values: string[]) => [...new Set(values.filter((v) => !/[*?]/.test(v)))].sort()
  return [
    {name: SUBJECT, domain: stringDomain(literals(grants.map((g) => g.subject)))},
    {name: PERMISSION, domain: stringDomain(literals(grants.map((g) => g.permission)))},
  ]
}

export function allowsWitness(value: unknown, witness: Witness): boolean {
  const {subject, permission} = witness
  if (typeof subject !== 'string' || typeof permission !== 'string') return false
  return grantsOf(value).some(
    (g) => globMatches(pattern(g.subject), subject) && globMatches(pattern(g.permission), permission),
  )
}
