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
  const parts = partsOf(path)
  return rules.some((rule) => matchesRule(rule, parts))
}

/** true: `rules` read files of this name; 'content': only for their content; false: not at all. */
export function pathOffer(rules: readonly PathRule[], path: string): boolean | 'content' {
  const parts = partsOf(path)
  const matching = rules.filter((rule) => matchesRule(rule, parts))
  if (matching.length === 0) return false
  return matching.some((rule) => rule.content !== true) || 'content'
}

/** A name, folder or extension as literal text in a `:(glob)` pathspec. */
const globLiteral = (text: string) => text.replace(/[*?[\]\\]/g, (c) => `\\${c}`)

/**
 * Git pathspecs (`:(glob)` magic, `icase` for a rule that ignores case) that match the paths
 * `rules` match, for a listing git limits (`git ls-files -- PATHSPECS`); undefined where a rule
 * cannot be written so (an extension that is no extension: a name without a dot).
 */
export function rulePathspecs(rules: readonly PathRule[]): string[] | undefined {
  const out: string[] = []
  for (const rule of rules) {
    const magic = rule.ignoreCase ? ':(glob,icase)' : ':(glob)'
    const folder =
      rule.folder === undefined ? '**/' : rule.folder === '' ? '' : `${globLiteral(rule.folder)}/`
    if (rule.names !== undefined) {
      const same = rule.ignoreCase ? ignoringCase : exactly
      for (const name of rule.names)
        if (rule.extensions === undefined || rule.extensions.some((e) => same(e, partsOf(name).extension)))
          out.push(`${magic}${folder}${globLiteral(name)}`)
    } else if (rule.extensions !== undefined) {
      if (rule.extensions.includes('')) return undefined
      for (const extension of rule.extensions) out.push(`${magic}${folder}*.${globLiteral(extension)}`)
    } else out.push(`${magic}${folder}*`)
  }
  return out
}

interface PathParts {
  folder: string
  name: string
  extension: string
}

/** A path split once, however many rules it is matched against (the inventory asks per file). */
function partsOf(path: string): PathParts {
  const slash = path.lastIndexOf('/')
  const name = path.slice(slash + 1)
  const dot = name.lastIndexOf('.')
  return {
    folder: slash === -1 ? '' : path.slice(0, slash),
    name,
    extension: dot === -1 ? '' : name.slice(dot + 1),
  }
}

const exactly = (a: string, b: string) => a === b
const ignoringCase = (a: string, b: string) => lower(a) === lower(b)

function matchesRule(rule: PathRule, {folder, name, extension}: PathParts): boolean {
  const same = rule.ignoreCase ? ignoringCase : exactly
  return (
    (rule.folder === undefined || same(rule.folder, folder)) &&
    (rule.names === undefined || rule.names.some((n) => same(n, name))) &&
    (rule.extensions === undefined || rule.extensions.some((e) => same(e, extension)))
  )
}
