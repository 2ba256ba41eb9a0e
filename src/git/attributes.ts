// Attributes as git itself computes them (https://git-scm.com/docs/git-check-attr), for sets of
// committed .gitattributes files: a commit's, the index's, the working tree's. `check-attr
// --source` (git 2.40) is not in every git acldrift runs with, so each set of files is put in
// an index of a scratch repository and `check-attr --cached` reads it there: git's own
// precedence (later line, deeper folder), macros, `-attr` and `!attr`, on any git version.
//
// The scratch repository keeps out what is local and never committed: the repository's
// `.git/info/attributes`, the global and system attributes files, and any config that changes
// matching. Nothing is written to the repository itself.

import {mkdtemp, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {splitNul} from './entries.js'
import {runGit} from './run.js'

/** An attribute's state on a path as check-attr prints it: `set`, `unset`, `unspecified`, or its value. */
export type AttributeState = string

/** path → attribute → state */
export type PathAttributes = Map<string, Map<string, AttributeState>>

/**
 * The states of `names` on each of `paths`, once per side; a side is its .gitattributes files,
 * path → content (the root's is `.gitattributes`, a folder's `DIR/.gitattributes`). One
 * check-attr per side, all paths on its stdin.
 */
export async function checkAttributes(
  sides: ReadonlyArray<ReadonlyMap<string, Buffer>>,
  paths: readonly string[],
  names: readonly string[],
): Promise<PathAttributes[]> {
  if (paths.length === 0) return sides.map(() => new Map())
  const scratch = await mkdtemp(join(tmpdir(), 'acldrift-attributes-'))
  try {
    const repo = join(scratch, 'repo')
    const absent = join(scratch, 'absent')
    const env: NodeJS.ProcessEnv = {
      // Nothing of the environment's repository, index or object store: only the scratch one.
      GIT_DIR: repo,
      GIT_WORK_TREE: undefined,
      GIT_COMMON_DIR: undefined,
      GIT_OBJECT_DIRECTORY: undefined,
      GIT_ALTERNATE_OBJECT_DIRECTORIES: undefined,
      GIT_ATTR_NOSYSTEM: '1',
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_GLOBAL: absent,
    }
    const git = (args: string[], input?: string, index?: string) =>
      runGit(scratch, ['-c', `core.attributesFile=${absent}`, ...args], {
        input,
        env: index === undefined ? env : {...env, GIT_INDEX_FILE: index},
      })
    await runGit(scratch, ['init', '--quiet', '--bare', '--template=', repo], {
      env: {...env, GIT_DIR: undefined},
    })

    // Every distinct content once, written as a blob of the scratch repository.
    const contents = [
      ...new Set(sides.flatMap((side) => [...side.values()].map((c) => c.toString('base64')))),
    ]
    const files = await Promise.all(
      contents.map(async (content, i) => {
        const file = join(scratch, `blob-${i}`)
        await writeFile(file, Buffer.from(content, 'base64'))
        return file
      }),
    )
    const ids = (await git(['hash-object', '-w', '--no-filters', '--stdin-paths'], files.join('\n')))
      .toString('utf8')
      .trim()
      .split('\n')
    const blobOf = new Map(contents.map((content, i) => [content, ids[i]!]))

    return await Promise.all(
      sides.map(async (side, i) => {
        const index = join(scratch, `index-${i}`)
        const entries = [...side].map(
          ([path, content]) => `100644 ${blobOf.get(content.toString('base64'))}\t${path}\0`,
        )
        if (entries.length > 0) await git(['update-index', '-z', '--index-info'], entries.join(''), index)
        const output = await git(
          ['check-attr', '--cached', '-z', '--stdin', ...names],
          paths.map((path) => `${path}\0`).join(''),
          index,
        )
        return parseCheckAttr(output)
      }),
    )
  } finally {
    await rm(scratch, {recursive: true, force: true})
  }
}

/** `<path> NUL <attribute> NUL <state> NUL` records of `git check-attr -z`. */
function parseCheckAttr(output: Buffer): PathAttributes {
  const records = splitNul(output)
  const found: PathAttributes = new Map()
  for (let i = 0; i + 2 < records.length; i += 3) {
    const [path, name, state] = [records[i]!, records[i + 1]!, records[i + 2]!]
    let states = found.get(path)
    if (states === undefined) found.set(path, (states = new Map()))
    states.set(name, state)
  }
  return found
}
