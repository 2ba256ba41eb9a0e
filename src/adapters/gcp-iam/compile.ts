// An IAM policy compiled into rules of the engine: one rule per binding and per term of its
// condition (a condition `a || b` is two rules of the same binding), with a predicate on the
// member, on the grant, on each condition attribute and on each condition it cannot interpret.

import {
  type AnyLeaf,
  type Cell,
  type Domain,
  leafHolds,
  numberDomain,
  opaqueDomain,
  stringDomain,
} from '../../engine/domains.js'
import {evaluate, type Formula, leaf, or} from '../../engine/formula.js'
import {type Dimension, type Rule} from '../../engine/search.js'
import {
  compileCondition,
  type CompiledCondition,
  conditionDimension,
  STRING_ATTRIBUTES,
  TIME_ATTRIBUTES,
} from './cel.js'
import {
  ANONYMOUS,
  AUTHENTICATED,
  type Binding,
  bindingsOf,
  grantTokens,
  memberFormula,
  memberSample,
  type RoleTable,
  tokenLeaf,
} from './model.js'

export const MEMBER = 'member'
export const GRANT = 'grant'

export interface CompiledRule extends Rule {
  binding: Binding
  /** what the binding's role grants under the role table it was compiled with */
  tokens: string[]
}

interface CompileContext {
  /** every unknown condition seen, shared by all sides compiled with this context */
  opaque: Map<string, string>
  conditions: Map<string, CompiledCondition>
  /** rule indices must be unique per side (the engine memoises on them) */
  next: number
}

export const newContext = (): CompileContext => ({opaque: new Map(), conditions: new Map(), next: 0})

function conditionOf(expression: string, ctx: CompileContext): CompiledCondition {
  let compiled = ctx.conditions.get(expression)
  if (compiled === undefined) {
    compiled = compileCondition(expression)
    ctx.conditions.set(expression, compiled)
  }
  for (const [name, description] of compiled.opaque) ctx.opaque.set(name, description)
  return compiled
}

/** The rules of one policy's bindings, with roles read from `roles`. */
export function compilePolicy(policy: unknown, roles: RoleTable, ctx: CompileContext): CompiledRule[] {
  const rules: CompiledRule[] = []
  for (const binding of bindingsOf(policy)) {
    const tokens = grantTokens(binding.role, roles)
    // A binding whose role grants nothing (DISABLED, no permissions) still takes part in the
    // search with a grant that never holds: compare.ts re-reads its member and condition
    // predicates on the cells under the other side's roles, so they must split the cells too.
    if (binding.members.length === 0) continue
    const member = or(...binding.members.map(memberFormula))
    const grant = or(...tokens.map((t) => leaf(tokenLeaf(t))))
    const terms = binding.expression === undefined ? [new Map()] : conditionOf(binding.expression, ctx).terms
    for (const term of terms) {
      const predicates = new Map<string, Formula<AnyLeaf>>([[MEMBER, member]])
      for (const [dim, f] of term) predicates.set(dim, f)
      predicates.set(GRANT, grant)
      rules.push({index: ctx.next++, effect: 'allow', predicates, binding, tokens})
    }
  }
  return rules
}

/**
 * Grant tokens are compared for equality only: one cell per token named by a leaf, and one
 * for every other token (cheaper than the general glob product for hundreds of permissions).
 */
export function tokenDomain(): Domain {
  return {
    cells: (leaves) => {
      const values = new Set<string>()
      for (const l of leaves) if (l.type === 'glob') values.add(l.glob.samples[0]!)
      const cells: Cell[] = [...values].sort().map((value) => ({value, known: new Map()}))
      cells.push({value: '(no grant named here)', known: new Map()})
      return cells
    },
  }
}

/** The request space of one policy file: member, condition attributes, grant, then the unknowns. */
export function dimensions(rules: CompiledRule[], ctx: CompileContext): Dimension[] {
  const samples = new Set<string>([ANONYMOUS, AUTHENTICATED])
  const used = new Set<string>()
  for (const rule of rules) {
    for (const m of rule.binding.members) samples.add(memberSample(m))
    for (const dim of rule.predicates.keys()) used.add(dim)
  }
  const dims: Dimension[] = [{name: MEMBER, domain: stringDomain([...samples])}]
  for (const attribute of TIME_ATTRIBUTES) {
    const name = conditionDimension(attribute)
    if (used.has(name)) dims.push({name, domain: numberDomain()})
  }
  for (const attribute of STRING_ATTRIBUTES) {
    const name = conditionDimension(attribute)
    if (used.has(name)) dims.push({name, domain: stringDomain()})
  }
  // Last of the interpreted dimensions: every rule is still live there unless its member or
  // condition failed, which lets compare.ts re-evaluate other role tables on a cell exactly.
  dims.push({name: GRANT, domain: tokenDomain()})
  for (const [name, description] of [...ctx.opaque].sort(([a], [b]) => a.localeCompare(b)))
    if (used.has(name)) dims.push({name, domain: opaqueDomain(), opaque: {description}})
  return dims
}

/**
 * Whether a rule holds on concrete values (dimension → value). A dimension without a value is
 * taken as holding; so are the conditions acldrift cannot interpret, whatever their polarity,
 * unless `opaque` gives their truth.
 */
export function ruleHolds(
  rule: Rule,
  values: (dimension: string) => {value: unknown} | undefined,
  opaque?: (dimension: string) => boolean,
): boolean {
  for (const [dim, predicate] of rule.predicates) {
    if (dim.startsWith('opaque:')) {
      if (opaque !== undefined && !evaluate(predicate, () => opaque(dim))) return false
      continue
    }
    const cell = values(dim)
    if (cell === undefined) continue
    if (!evaluate(predicate, (l) => leafHolds(l, cell.value))) return false
  }
  return true
}
