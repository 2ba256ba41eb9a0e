// The HCL syntax tree acldrift evaluates: plain objects made from tree-sitter's tree (syntax.ts),
// each node with its position in the file and its source text (an unresolved expression is a
// symbol named by its text: `var.bucket`, `aws_s3_bucket.b.arn`).

import type {Position} from '../../kernel/types.js'

/** Where a node starts in its file, and which file (a module's values come from several). */
export interface At extends Position {
  file: string
}

interface Node {
  at: At
  /** the expression as written, whitespace collapsed */
  text: string
}

export type Expr =
  | (Node & {e: 'literal'; value: string | number | boolean | null})
  /** `start`: where the text begins (after the quote, or on the line after `<<EOT`) */
  | (Node & {e: 'template'; parts: TemplatePart[]; start: At})
  | (Node & {e: 'tuple'; items: Expr[]})
  | (Node & {e: 'object'; items: Array<{key: Expr; value: Expr}>})
  /** a name: `var`, `local`, `aws_iam_role`, `each`, an iterator or a `for` variable */
  | (Node & {e: 'name'; name: string})
  | (Node & {e: 'attr'; of: Expr; name: string})
  | (Node & {e: 'index'; of: Expr; key: Expr})
  /** `of[*].rest` / `of.*.rest`: `rest` applied to each element */
  | (Node & {e: 'splat'; of: Expr; rest: Array<{attr: string} | {index: Expr}>})
  /** `expand`: the last argument is followed by `...` */
  | (Node & {e: 'call'; name: string; args: Expr[]; expand: boolean})
  | (Node & {e: 'conditional'; test: Expr; then: Expr; else: Expr})
  | (Node & {e: 'unary'; op: string; operand: Expr})
  | (Node & {e: 'binary'; op: string; left: Expr; right: Expr})
  | (Node & {
      e: 'for'
      /** `[for …]` or `{for …}` */
      tuple: boolean
      key: string | undefined
      value: string
      collection: Expr
      result: Expr
      /** `{for …: k => v}`: the key expression */
      resultKey: Expr | undefined
      /** `v...`: values of equal keys are grouped into lists */
      group: boolean
      condition: Expr | undefined
    })

/** A piece of a template (a quoted string with interpolations, a heredoc). */
export type TemplatePart =
  | {literal: string}
  | {interpolation: Expr}
  | {if: Expr; then: TemplatePart[]; else: TemplatePart[]; at: At}
  | {for: {key: string | undefined; value: string; collection: Expr}; body: TemplatePart[]; at: At}

export interface Attribute {
  name: string
  expr: Expr
  at: At
}

export interface Block {
  type: string
  labels: string[]
  body: Body
  at: At
}

export interface Body {
  attributes: Map<string, Attribute>
  blocks: Block[]
}

/** A parsed `.tf` file. */
export interface HclFile {
  path: string
  body: Body
}
