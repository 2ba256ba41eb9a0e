// Boolean formulas over the primitive tests ("leaves") of one dimension of a request.

export interface Leaf {
  /** canonical text, equal for leaves with the same meaning */
  key: string
}

export type Formula<L extends Leaf = Leaf> =
  | {op: 'true'}
  | {op: 'false'}
  | {op: 'leaf'; leaf: L}
  | {op: 'not'; arg: Formula<L>}
  | {op: 'and'; args: Formula<L>[]}
  | {op: 'or'; args: Formula<L>[]}

const TRUE: Formula<never> = {op: 'true'}
export const FALSE: Formula<never> = {op: 'false'}

export const leaf = <L extends Leaf>(l: L): Formula<L> => ({op: 'leaf', leaf: l})
export const not = <L extends Leaf>(arg: Formula<L>): Formula<L> =>
  arg.op === 'true' ? FALSE : arg.op === 'false' ? TRUE : arg.op === 'not' ? arg.arg : {op: 'not', arg}

export function and<L extends Leaf>(...args: Formula<L>[]): Formula<L> {
  const kept = args.filter((a) => a.op !== 'true')
  if (kept.some((a) => a.op === 'false')) return FALSE
  return kept.length === 0 ? TRUE : kept.length === 1 ? kept[0]! : {op: 'and', args: kept}
}

export function or<L extends Leaf>(...args: Formula<L>[]): Formula<L> {
  const kept = args.filter((a) => a.op !== 'false')
  if (kept.some((a) => a.op === 'true')) return TRUE
  return kept.length === 0 ? FALSE : kept.length === 1 ? kept[0]! : {op: 'or', args: kept}
}

export function evaluate<L extends Leaf>(formula: Formula<L>, test: (leaf: L) => boolean): boolean {
  switch (formula.op) {
    case 'true':
      return true
    case 'false':
      return false
    case 'leaf':
      return test(formula.leaf)
    case 'not':
      return !evaluate(formula.arg, test)
    case 'and':
      return formula.args.every((a) => evaluate(a, test))
    case 'or':
      return formula.args.some((a) => evaluate(a, test))
  }
}

export function leavesOf<L extends Leaf>(
  formula: Formula<L>,
  out: Map<string, L> = new Map(),
): Map<string, L> {
  if (formula.op === 'leaf') out.set(formula.leaf.key, formula.leaf)
  else if (formula.op === 'not') leavesOf(formula.arg, out)
  else if (formula.op === 'and' || formula.op === 'or') for (const a of formula.args) leavesOf(a, out)
  return out
}

/** Canonical text of a formula: equal texts mean equal predicates (used to prune identical subproblems). */
export function formulaKey(formula: Formula): string {
  switch (formula.op) {
    case 'true':
    case 'false':
      return formula.op
    case 'leaf':
      return formula.leaf.key
    case 'not':
      return `!(${formulaKey(formula.arg)})`
    case 'and':
    case 'or':
      return `${formula.op}(${formula.args.map(formulaKey).sort().join(',')})`
  }
}
