// Policy variables (`${aws:username}`, `${aws:PrincipalTag/team, 'none'}`) are values of the
// request: each reads one context key, and AWS puts the request's value for it in the policy text
// (IAM User Guide, "IAM policy elements: Variables and tags"). Where the key is missing, a variable
// with a default value reads the default; one without matches nothing.

import {symbolNamesIn} from '../../engine/glob.js'

/** The context key a policy variable reads (`${aws:PrincipalTag/team, 'none'}` reads aws:PrincipalTag/team). */
export const variableKey = (symbol: string): string => (symbolNamesIn(symbol)[0] ?? '').split(',')[0]!.trim()

/** A variable's default value (`${aws:username, 'shared'}`), read where its key is missing. */
export function variableDefault(symbol: string): string | undefined {
  const name = symbolNamesIn(symbol)[0] ?? ''
  const comma = name.indexOf(',')
  return comma === -1
    ? undefined
    : name
        .slice(comma + 1)
        .trim()
        .replace(/^'(.*)'$/, '$1')
}

/** Text no request holds: what a variable without a default reads where its key is missing. */
export const NOTHING = '\u0000'

/** A variable's text in a request whose value for its key is `value` (undefined: missing). */
export const variableValue = (symbol: string, value: string | undefined): string =>
  value ?? variableDefault(symbol) ?? NOTHING
