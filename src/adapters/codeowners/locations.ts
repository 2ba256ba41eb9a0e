// Where GitHub looks for the CODEOWNERS file (light: the descriptor in index.ts imports it).

/** The places GitHub looks for the file, in the order it looks; it reads the first that exists. */
export const LOCATIONS = ['.github/CODEOWNERS', 'CODEOWNERS', 'docs/CODEOWNERS'] as const

export const isLocation = (path: string): boolean => (LOCATIONS as readonly string[]).includes(path)
