// Which paths a kind or a container format may hold, by path alone, as plain data (each
// descriptor's `candidates`). Data rather than a function, because the agent hook answers "is
// this path possibly an access config?" on every tool call from the build's union of them
// (dist/data/candidate-paths.json, scripts/build-candidates.js) without loading any descriptor.

/**
 * One shape of path: every part given must match. A path is a candidate of a kind when it
 * matches one of the kind's rules.
 */
export interface PathRule {
  /** the file's folder, exactly ('' is the repository root); absent: any folder */
  folder?: string
  /** the file's name, exactly; absent: any name */
  names?: readonly string[]
  /** the name's extension, after its last dot ('' for a name without one); absent: any */
  extensions?: readonly string[]
  /** folder, names and extensions are compared regardless of case */
  ignoreCase?: boolean
  /** a name that says nothing about the file: offered for its content alone (ContainerFormat) */
  content?: boolean
}

const lower = (text: string) => text.toLowerCase()

/** Whether `path` (repository-relative, with `/`) matches one of `rules`. */
export function matchesPathRules(rules: readonly PathRule[], path: string): boolean {
  return rules.some((rule) => matchesRule(rule, path))
}

/** true: `rules` read files of this name; 'content': only for their content; false: not at all. */
export function pathOffer(rules: readonly PathRule[], path: string): boolean | 'content' {
  const matching = rules.filter((rule) => matchesRule(rule, path))
  if (matching.length === 0) return false
  return matching.some((rule) => rule.content !== true) || 'content'
}

function matchesRule(rule: PathRule, path: string): boolean {
  const slash = path.lastIndexOf('/')
  const folder = slash === -1 ? '' : path.slice(0, slash)
  const name = path.slice(slash + 1)
  const dot = name.lastIndexOf('.')
  const extension = dot === -1 ? '' : name.slice(dot + 1)
  const same = rule.ignoreCase
    ? (a: string, b: string) => lower(a) === lower(b)
    : (a: string, b: string) => a === b
  return (
    (rule.folder === undefined || same(rule.folder, folder)) &&
    (rule.names === undefined || rule.names.some((n) => same(n, name))) &&
    (rule.extensions === undefined || rule.extensions.some((e) => same(e, extension)))
  )
}
