// Where GitHub looks for the CODEOWNERS file (light: the descriptor in index.ts imports it).

import type {PathRule} from '../../kernel/candidates.js'

/** The places GitHub looks for the file, in the order it looks; it reads the first that exists. */
export const LOCATIONS = ['.github/CODEOWNERS', 'CODEOWNERS', 'docs/CODEOWNERS'] as const

export const isLocation = (path: string): boolean => (LOCATIONS as readonly string[]).includes(path)

/** The same places as path rules (the descriptor's `candidates`). */
export const LOCATION_RULES: readonly PathRule[] = LOCATIONS.map((location) => {
  const slash = location.lastIndexOf('/')
  return {folder: location.slice(0, Math.max(slash, 0)), names: [location.slice(slash + 1)]}
})
