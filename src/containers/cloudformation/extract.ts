// A template's access documents: every resource of a type in the table (resources.ts, sam.ts)
// gives its documents, each named `LogicalId/Path` — names that survive reordering, reformatting
// and moves, since nothing in them counts lines — with a source map into the template. What
// cannot be read fails closed at its line; what looks like access but is of a type acldrift
// does not read, and every parameter read as its default, is said in a note.

import {escapePointerToken, positionAt} from '../../kernel/parse.js'
import {symbol} from '../../kernel/symbols.js'
import type {InputProblem, ParsedFile, SourceMap} from '../../kernel/types.js'
import type {EmbeddedDocument, Extraction} from '../container.js'
import type {Builder, BuiltDocument} from './documents.js'
import {EXTRACTORS, type Extractor} from './resources.js'
import {samFunction} from './sam.js'
import {intrinsicOf, isObject, ResolveError, type Scope} from './values.js'

const EXTRACTOR_OF: Record<string, Extractor> = {
  ...EXTRACTORS,
  'AWS::Serverless::Function': samFunction,
  'AWS::Serverless::StateMachine': samFunction,
}

const objectAt = (value: unknown): Record<string, unknown> => (isObject(value) ? value : {})

export async function extractTemplate(parsed: ParsedFile): Promise<Extraction> {
  const template = objectAt(parsed.value)
  const scope: Scope = {
    parameters: objectAt(template.Parameters),
    resources: objectAt(template.Resources),
    mappings: objectAt(template.Mappings),
    assumed: new Map(),
  }
  const conditions = objectAt(template.Conditions)
  const builder: Builder = {
    scope,
    conditionKey: (name) => symbol(`condition ${conditionText(name, conditions)}`),
  }
  const documents: EmbeddedDocument[] = []
  const notes: string[] = []
  const problems: InputProblem[] = []
  const problemAt = (pointer: string, message: string): InputProblem => ({
    file: parsed.path,
    ...positionAt(parsed.sourceMap, pointer),
    pointer,
    message,
  })

  for (const [logicalId, resource] of Object.entries(scope.resources)) {
    const pointer = `/Resources/${escapePointerToken(logicalId)}`
    if (!isObject(resource) || typeof resource.Type !== 'string') continue
    const extractor = EXTRACTOR_OF[resource.Type]
    if (extractor === undefined) {
      notes.push(...unread(parsed.path, logicalId, resource))
      continue
    }
    const when = new Map<string, boolean>()
    if (typeof resource.Condition === 'string') when.set(resource.Condition, true)
    try {
      await extractor({
        logicalId,
        properties: objectAt(resource.Properties),
        pointer: `${pointer}/Properties`,
        when,
        builder,
        add: (path, at, built) => {
          if (built === undefined) return
          let name = path === '' ? logicalId : `${logicalId}/${path}`
          // Two documents of one name (CloudFormation would refuse the template): each keeps its own.
          for (let n = 2; documents.some((d) => d.name === name); n++) name = `${logicalId}/${path}#${n}`
          documents.push({
            kind: 'aws-iam',
            name,
            value: built.value,
            pointer: at,
            sourceMap: sourceMapOf(parsed.sourceMap, built),
          })
        },
        note: (message) => notes.push(`${parsed.path}: ${message}`),
      })
    } catch (error) {
      if (!(error instanceof ResolveError)) throw error
      problems.push(problemAt(error.pointer, `${logicalId}: ${error.message}`))
    }
  }
  // SAM applies Globals to every function: a trust policy there is one acldrift does not read yet.
  const globals = objectAt(objectAt(template.Globals).Function)
  for (const property of ['AssumeRolePolicyDocument', 'FunctionUrlConfig'].filter((p) => p in globals))
    notes.push(`${parsed.path}: Globals/Function/${property} not read (SAM applies it to every function)`)
  for (const [name, value] of scope.assumed)
    notes.push(
      `${parsed.path}: parameter ${name} is read as its default ${JSON.stringify(value)} (a deployment may give it another value)`,
    )
  return {documents, notes, problems}
}

/** Where each part of a built document is: its own origin, else its nearest ancestor's. */
function sourceMapOf(template: SourceMap, built: BuiltDocument): SourceMap {
  return {
    locate: (pointer) => {
      for (let current = pointer; ; current = current.slice(0, current.lastIndexOf('/'))) {
        const origin = built.origins.get(current)
        if (origin !== undefined) return positionAt(template, origin)
        if (current === '') return undefined
      }
    },
  }
}

/**
 * A condition as its symbol names it: its definition in the template's short forms, with the
 * conditions it refers to written out, so that a condition whose definition changed is another
 * unknown: `IsProd = !Equals [!Ref Stage, prod]`.
 */
function conditionText(name: string, conditions: Record<string, unknown>, seen: string[] = []): string {
  if (seen.includes(name) || !(name in conditions)) return name
  const text = (value: unknown): string => {
    const call = intrinsicOf(value)
    if (call?.[0] === 'Condition' && typeof call[1] === 'string')
      return `(${conditionText(call[1], conditions, [...seen, name])})`
    if (call !== undefined) return `!${call[0].replace(/^Fn::/, '')} ${text(call[1])}`
    if (Array.isArray(value)) return `[${value.map(text).join(', ')}]`
    if (isObject(value))
      return `{${Object.entries(value)
        .map(([k, v]) => `${k}: ${text(v)}`)
        .join(', ')}}`
    return typeof value === 'string' ? value : JSON.stringify(value)
  }
  return `${name} = ${text(conditions[name])}`
}

/**
 * A resource of a type acldrift does not read that holds something shaped like a policy (a map
 * with a `Statement`), or that SAM turns into access (a connector): said, so that coverage shows
 * it was seen and not compared.
 */
function unread(file: string, logicalId: string, resource: Record<string, unknown>): string[] {
  if (resource.Type === 'AWS::Serverless::Connector')
    return [`${file}: ${logicalId} not read (the access SAM derives from a connector)`]
  const properties = objectAt(resource.Properties)
  return Object.entries(properties)
    .filter(([, value]) => isObject(value) && 'Statement' in value)
    .map(
      ([property]) =>
        `${file}: ${logicalId}/${property} not read (resource type ${String(resource.Type)} is not one acldrift reads)`,
    )
}
