// Where an object of a rendered overlay comes from in its kustomization: the line of the
// resource, base or component entry that its origin annotation's file is, or is in.

import {posix} from 'node:path'
import type {ParsedFile, Position} from '../../kernel/types.js'

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

/** Where the kustomization lists the resource, base or component the origin file is (or is in). */
export function entryPosition(kustomization: ParsedFile, origin: string | undefined): Position | undefined {
  if (origin === undefined || !isObject(kustomization.value)) return undefined
  const dir = posix.dirname(kustomization.path)
  const file = posix.normalize(posix.join(dir, origin))
  for (const field of ['resources', 'bases', 'components']) {
    const entries = kustomization.value[field]
    if (!Array.isArray(entries)) continue
    for (const [index, entry] of entries.entries()) {
      if (typeof entry !== 'string') continue
      const target = posix.normalize(posix.join(dir, entry))
      if (file === target || file.startsWith(`${target}/`))
        return kustomization.sourceMap.locate(`/${field}/${index}`)
    }
  }
  return undefined
}
