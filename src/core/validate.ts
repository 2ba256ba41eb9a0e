// Schema validation with the validators that scripts/build-schemas.js precompiled (nothing is compiled at
// run time), and ajv's errors turned into problems a person can act on, located through the source map.

import type {ErrorObject} from 'ajv'
import {ADAPTERS} from '../adapters/index.js'
import {escapePointerToken, positionAt} from '../kernel/parse.js'
import type {InputProblem, Kind, ParsedFile} from '../kernel/types.js'

export type SchemaName = Kind | 'config' | 'snapshot' | 'report' | 'approvals'

interface Validator {
  (data: unknown): boolean
  errors?: ErrorObject[] | null
}

const validators = new Map<SchemaName, Promise<Validator>>()

/**
 * Validates a parsed file against one of schemas/, then, for a kind, against its adapter's own
 * checks (what a schema cannot express); returns no problems when it is valid.
 */
export async function validateValue(schema: SchemaName, parsed: ParsedFile): Promise<InputProblem[]> {
  const validate = await loadValidator(schema)
  if (validate(parsed.value)) return (await ADAPTERS.find((a) => a.kind === schema)?.validate?.(parsed)) ?? []
  const problems = describeErrors(validate.errors ?? []).map(({pointer, message}) => ({
    file: parsed.path,
    ...positionAt(parsed.sourceMap, pointer),
    pointer,
    message,
  }))
  return problems.sort(
    (a, b) => (a.line ?? Infinity) - (b.line ?? Infinity) || (a.column ?? 0) - (b.column ?? 0),
  )
}

function loadValidator(schema: SchemaName): Promise<Validator> {
  let validator = validators.get(schema)
  if (validator === undefined) {
    // Through the package root, so that this resolves from dist/core (built) and from src/core (tests) alike;
    // a literal pattern, so that the hook bundle (scripts/bundle-hook.js) takes every validator in.
    validator = import(`../../dist/validators/${schema}.js`).then(
      (module: {default: Validator}) => module.default,
      (error: unknown) => {
        validators.delete(schema)
        throw new Error(`cannot load the ${schema} validator (run \`npm run build\`): ${String(error)}`)
      },
    )
    validators.set(schema, validator)
  }
  return validator
}

interface Described {
  pointer: string
  message: string
}

/**
 * One message per problem: errors that only restate another (the "if" that failed because its "then" did,
 * the branches of "exactly one of", a oneOf that failed because of a deeper error) are folded away.
 */
function describeErrors(errors: ErrorObject[]): Described[] {
  const folded = new Set<ErrorObject>()
  // A value of the wrong type fails every other keyword too ("exactly one of" on a number): say only the type.
  const mistyped = new Set(
    errors.filter((error) => error.keyword === 'type').map((error) => error.instancePath),
  )
  for (const error of errors) {
    if (error.keyword === 'if' || error.keyword === 'propertyNames') folded.add(error)
    if (error.keyword !== 'type' && mistyped.has(error.instancePath)) folded.add(error)
    if (requiredChoices(error) !== undefined) {
      for (const other of errors) {
        if (
          other.keyword === 'required' &&
          other.instancePath === error.instancePath &&
          other.schemaPath.startsWith(`${error.schemaPath}/`)
        ) {
          folded.add(other)
        }
      }
    } else if (error.keyword === 'oneOf' || error.keyword === 'anyOf') {
      const more = errors.some((other) => other !== error && isWithin(other.instancePath, error.instancePath))
      if (more) folded.add(error)
    }
  }
  const seen = new Set<string>()
  const described: Described[] = []
  for (const error of errors) {
    if (folded.has(error)) continue
    const item = describe(error)
    const key = `${item.pointer}\u0000${item.message}`
    if (seen.has(key)) continue
    seen.add(key)
    described.push(item)
  }
  return described
}

function isWithin(pointer: string, ancestor: string): boolean {
  return pointer === ancestor || pointer.startsWith(`${ancestor}/`)
}

/** The property names of a oneOf/anyOf/not whose branches only require properties ("exactly one of A, B"). */
function requiredChoices(error: ErrorObject): string[] | undefined {
  const branches =
    error.keyword === 'not'
      ? [error.schema]
      : error.keyword === 'oneOf' || error.keyword === 'anyOf'
        ? error.schema
        : []
  if (!Array.isArray(branches) || branches.length === 0) return undefined
  const names: string[] = []
  for (const branch of branches) {
    if (typeof branch !== 'object' || branch === null || Object.keys(branch).join() !== 'required')
      return undefined
    names.push(...(branch as {required: string[]}).required)
  }
  return names
}

function describe(error: ErrorObject): Described {
  const params = error.params as Record<string, unknown>
  // Errors about a property name (propertyNames) are about that key, not about the object holding it.
  if (error.propertyName !== undefined) {
    return {
      pointer: `${error.instancePath}/${escapePointerToken(error.propertyName)}`,
      message: `invalid key "${error.propertyName}": ${wording(error, params)}`,
    }
  }
  if (error.keyword === 'additionalProperties') {
    const name = String(params.additionalProperty)
    const known = Object.keys((error.parentSchema?.properties as object | undefined) ?? {})
    return {
      pointer: `${error.instancePath}/${escapePointerToken(name)}`,
      message: unknownProperty(name, known),
    }
  }
  const found = error.keyword === 'type' || error.keyword === 'required' ? '' : foundValue(error.data)
  return {pointer: error.instancePath, message: wording(error, params) + found}
}

function wording(error: ErrorObject, params: Record<string, unknown>): string {
  const title = typeof error.parentSchema?.title === 'string' ? error.parentSchema.title : undefined
  const choices = requiredChoices(error)
  switch (error.keyword) {
    case 'required':
      return `missing required property "${String(params.missingProperty)}"`
    case 'enum':
      return `must be one of ${(params.allowedValues as unknown[]).map((value) => JSON.stringify(value)).join(', ')}`
    case 'const':
      return `must be ${JSON.stringify(params.allowedValue)}`
    case 'type':
      return `must be ${typeNames(String(params.type))} (found ${typeOf(error.data)})`
    case 'pattern':
      return title !== undefined ? `must be ${title}` : `must match the pattern ${String(params.pattern)}`
    case 'minItems':
    case 'minProperties':
    case 'minLength':
      return params.limit === 1 ? 'must not be empty' : (error.message ?? 'is too short')
    case 'oneOf':
    case 'anyOf':
      if (choices !== undefined) {
        return `must have ${error.keyword === 'oneOf' ? 'exactly' : 'at least'} one of ${choices.join(', ')}`
      }
      return title !== undefined ? `must be ${title}` : (error.message ?? 'is invalid')
    case 'not':
      if (choices !== undefined) {
        return choices.length === 2
          ? `must not have both ${choices[0]} and ${choices[1]}`
          : `must not have all of ${choices.join(', ')}`
      }
      return error.message ?? 'is invalid'
    default:
      return error.message ?? 'is invalid'
  }
}

function unknownProperty(name: string, known: string[]): string {
  const close = known.find((candidate) => editDistance(name.toLowerCase(), candidate.toLowerCase()) <= 2)
  if (close !== undefined) return `unknown property "${name}" (did you mean "${close}"?)`
  return known.length > 0
    ? `unknown property "${name}" (allowed: ${known.join(', ')})`
    : `unknown property "${name}"`
}

/** Levenshtein distance, for "did you mean" on misspelt keys. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({length: b.length + 1}, (_, index) => index)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        previous[j] + 1,
        current[j - 1] + 1,
        previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1),
      )
    }
    previous = current
  }
  return previous[b.length]
}

function typeNames(types: string): string {
  const article = (type: string): string =>
    type === 'null' ? 'null' : /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`
  const names = types.split(',').map(article)
  return names.length > 1 ? `${names.slice(0, -1).join(', ')} or ${names.at(-1)}` : names[0]
}

function typeOf(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`
}

function foundValue(value: unknown): string {
  if (typeof value === 'string') {
    const shown = value.length > 60 ? `${value.slice(0, 57)}...` : value
    return ` (found ${JSON.stringify(shown)})`
  }
  if (typeof value === 'number' || typeof value === 'boolean' || value === null)
    return ` (found ${String(value)})`
  return ''
}
