// Does one version of a policy allow one concrete request (a finding's witness)? Semantic
// blame asks this of every version of a file in the history.

import {type AnyLeaf, leafHolds} from '../../engine/domains.js'
import {evaluate, type Formula} from '../../engine/formula.js'
import {isTemplateSymbol, templateChar, variableChar} from '../../engine/glob.js'
import {substituteRules, symbolCharsOf} from '../../engine/symbolic.js'
import type {Witness} from '../../kernel/types.js'
import {
  ANYONE,
  type CompileContext,
  compileDocument,
  contextDimension,
  IDENTITY,
  IDENTITY_ALLOWS,
  keyTraits,
  principalPoliciesOf,
  SELF,
  type Statement,
  statementsOf,
} from './compile.js'
import {BoundedMap} from '../../kernel/bounded.js'
import {parseCidr, parseDate} from './conditions.js'
import {reachesService} from './restrict.js'
import {hasSymbol} from '../../kernel/symbols.js'
import {variableKey, variableValue} from './variables.js'

/** A witness as shown in reports, back in the engine's raw form (per dimension). */
function rawRequest(
  witness: Witness,
  ctx: CompileContext,
  symbols: (text: string) => string,
): Map<string, unknown> {
  const request = new Map<string, unknown>()
  request.set('principal', typeof witness.principal === 'string' ? symbols(witness.principal) : SELF)
  if (typeof witness.action === 'string') request.set('action', witness.action.toLowerCase())
  if (typeof witness.resource === 'string') request.set('resource', symbols(witness.resource))
  if (typeof witness.identityPolicyAllows === 'boolean')
    request.set(IDENTITY, witness.identityPolicyAllows ? IDENTITY_ALLOWS : 'none')
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
            : symbols(String(v))
    request.set(contextDimension(key.toLowerCase()), Array.isArray(value) ? value.map(one) : one(value))
  }
  return request
}

/**
 * Reports show symbols as `${name}`: a template's value the document holds (it stays a symbol in
 * the witness), else a policy variable where the document's Version reads them.
 */
function symbolsOf(statements: Statement[]): (text: string) => string {
  const templates = new Set<string>()
  for (const s of statements)
    for (const c of JSON.stringify(s.raw).matchAll(/\uE000([^\uE001]*)\uE001/g)) templates.add(c[1]!)
  const variables = statements.some((s) => s.variables)
  return (text) =>
    text.replace(/\$\{([^}*?$]+)\}/g, (whole, name: string) =>
      templates.has(name) ? templateChar(name) : variables ? variableChar(name) : whole,
    )
}

function ipValue(text: string): unknown {
  const range = parseCidr(text)
  return range && {v6: range.v6, n: range.lo}
}

/** The witness's values of the document's policy variables: its context values for their keys. */
function variableValues(witness: Witness, symbols: Set<string>): Map<string, string> {
  const context = Object.entries((witness.context ?? {}) as Record<string, unknown>)
  const values = new Map<string, string>()
  for (const s of symbols) {
    if (isTemplateSymbol(s)) continue
    const key = variableKey(s).toLowerCase()
    const value = context.find(([k]) => k.toLowerCase() === key)?.[1]
    values.set(s, variableValue(s, typeof value === 'string' ? value : undefined))
  }
  return values
}

/**
 * Whether `policy` allows the request: some Allow matches and no Deny does. A dimension the
 * witness leaves out (a trust policy has no resource) is taken as matched; conditions the
 * engine cannot interpret are taken as holding, so a version is never wrongly cleared. A
 * witness that says another policy allows it (`otherPolicyAllows`, a Deny no longer in force)
 * is allowed by every version that does not deny it, and by no version of the file at all
 * (unless the caller is anonymous, `*`: nobody's own policy speaks for it).
 */
export function allowsWitness(policy: unknown, witness: Witness): boolean {
  const {ctx, self, symbols, compiled, symbolChars} = compiledPolicy(policy, serviceOf(witness))
  // A principal's composed policies are its own: the witness names it where a policy says "self".
  const request = rawRequest(
    self !== undefined && witness.principal === self ? {...witness, principal: undefined} : witness,
    ctx,
    symbols,
  )
  const rules = substituteRules(compiled, variableValues(witness, symbolChars))
  const holds = (name: string, predicate: Formula<AnyLeaf>) => {
    if (name.startsWith('opaque:')) return true
    if (!name.startsWith('context:') && !request.has(name)) return true
    return evaluate(predicate, (leaf) => leafHolds(leaf, request.get(name)))
  }
  const matches = (effect: 'allow' | 'deny') =>
    rules.some((r) => r.effect === effect && [...r.predicates].every(([name, p]) => holds(name, p)))
  // Anonymous callers have no policies of their own: only a resource policy can allow them.
  const otherAllows = witness.otherPolicyAllows === true && witness.principal !== ANYONE
  return (otherAllows || matches('allow')) && !matches('deny')
}

/** The service of the witness's action (lower case), when it names one without a wildcard. */
function serviceOf(witness: Witness): string | undefined {
  if (typeof witness.action !== 'string') return undefined
  const service = witness.action.slice(0, Math.max(0, witness.action.indexOf(':'))).toLowerCase()
  return /^[a-z0-9-]+$/.test(service) ? service : undefined
}

interface Rules {
  compiled: ReturnType<typeof compileDocument>
  symbolChars: ReturnType<typeof symbolCharsOf>
}

interface CompiledPolicy extends Rules {
  ctx: CompileContext
  self: string | undefined
  symbols: (text: string) => string
}

/** A policy value as the evaluator holds it: its rules compiled once per service asked about. */
interface Held extends Omit<CompiledPolicy, keyof Rules> {
  statements: Statement[]
  /** whether statements of other services can be left out (restrict.ts): no symbol, no boundary */
  byService: boolean
  /** the rules of the statements that can match an action of a service (undefined: of all of them) */
  rules: Map<string | undefined, Rules>
}

/**
 * The policy values compiled last, each once whatever the witnesses asked of it: blame asks every
 * version of a file about every finding of the file (a parsed version is not changed once read: a
 * variant is a new value). Least recently asked first, and at most 20,000 statements' worth: a
 * compiled statement is ~1.7 KB, five times its parsed value, and an audit's documents live the
 * whole run (kept compiled as long, an audit of 1,000 commits of 1,400 managed-policy shaped
 * files peaked at 1,407 MiB; 861 MiB with this bound, the same report).
 */
const compiledPolicies = new BoundedMap<object, {held: Held; statements: number}>(
  20_000,
  (held) => held.statements,
)

/**
 * The policy compiled for a request of `service`: a statement whose action patterns cannot reach
 * the service matches no such request (restrict.ts), so only the others are compiled, with every
 * statement's condition keys read as the whole policy reads them.
 */
function compiledPolicy(policy: unknown, service: string | undefined): CompiledPolicy {
  const make = () => {
    const statements = statementsOf(policy)
    const text = JSON.stringify(policy) ?? ''
    const held: Held = {
      ctx: {traits: keyTraits(statements), opaque: new Map()},
      self: principalPoliciesOf(policy)?.principal,
      symbols: symbolsOf(statements),
      statements,
      byService: !text.includes('${') && !hasSymbol(text) && !statements.some((s) => s.boundary === true),
      rules: new Map(),
    }
    return {held, statements: statements.length}
  }
  const held =
    typeof policy === 'object' && policy !== null ? compiledPolicies.remember(policy, make).held : make().held
  const key = held.byService ? service : undefined
  let rules = held.rules.get(key)
  if (rules === undefined) {
    const statements =
      key === undefined ? held.statements : held.statements.filter((s) => reachesService(s, key))
    const compiled = compileDocument(statements, held.ctx)
    held.rules.set(key, (rules = {compiled, symbolChars: symbolCharsOf(compiled)}))
  }
  return {...held, ...rules}
}
