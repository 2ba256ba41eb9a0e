// Does one version of a policy allow one concrete request (a finding's witness)? Semantic
// blame asks this of every version of a file in the history.

import {type AnyLeaf, leafHolds} from '../../engine/domains.js'
import {evaluate, type Formula} from '../../engine/formula.js'
import {variableChar} from '../../engine/glob.js'
import type {Witness} from '../../kernel/types.js'
import {
  type CompileContext,
  compileStatement,
  contextDimension,
  keyTraits,
  SELF,
  statementsOf,
} from './compile.js'
import {parseCidr, parseDate} from './conditions.js'

/** A witness as shown in reports, back in the engine's raw form (per dimension). */
function rawRequest(witness: Witness, ctx: CompileContext): Map<string, unknown> {
  const request = new Map<string, unknown>()
  request.set('principal', typeof witness.principal === 'string' ? witness.principal : SELF)
  if (typeof witness.action === 'string') request.set('action', witness.action.toLowerCase())
  if (typeof witness.resource === 'string') request.set('resource', withVariables(witness.resource))
  const context = (witness.context ?? {}) as Record<string, unknown>
  for (const [key, value] of Object.entries(context)) {
    const family = [...(ctx.traits.get(key.toLowerCase())?.families ?? [])][0]
    // Dates are shown as ISO 8601 (or given as epoch seconds, as AWS reads them): epoch milliseconds here.
    const one = (v: unknown) =>
      family === 'ip'
        ? ipValue(String(v))
        : family === 'date'
          ? parseDate(String(v))
          : family === 'number'
            ? Number(v)
            : String(v)
    request.set(contextDimension(key.toLowerCase()), Array.isArray(value) ? value.map(one) : one(value))
  }
  return request
}

/** Reports show policy variables as `${name}`; the engine matches them as one private character. */
function withVariables(text: string): string {
  return text.replace(/\$\{([^}*?$]+)\}/g, (_, name: string) => variableChar(name))
}

function ipValue(text: string): unknown {
  const range = parseCidr(text)
  return range && {v6: range.v6, n: range.lo}
}

/**
 * Whether `policy` allows the request: some Allow matches and no Deny does. A dimension the
 * witness leaves out (a trust policy has no resource) is taken as matched; conditions the
 * engine cannot interpret are taken as holding, so a version is never wrongly cleared.
 */
export function allowsWitness(policy: unknown, witness: Witness): boolean {
  const statements = statementsOf(policy)
  const ctx: CompileContext = {traits: keyTraits(statements), opaque: new Map()}
  const request = rawRequest(witness, ctx)
  const holds = (name: string, predicate: Formula<AnyLeaf>) => {
    if (name.startsWith('opaque:')) return true
    if (!name.startsWith('context:') && !request.has(name)) return true
    return evaluate(predicate, (leaf) => leafHolds(leaf, request.get(name)))
  }
  const rules = statements.map((s, i) => compileStatement(s, i, ctx))
  const matches = (effect: 'allow' | 'deny') =>
    rules.some((r) => r.effect === effect && [...r.predicates].every(([name, p]) => holds(name, p)))
  return matches('allow') && !matches('deny')
}
