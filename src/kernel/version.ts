import {readFileSync} from 'node:fs'

let version: string | undefined

/** acldrift's own version, from package.json (same relative place from src/ and dist/). */
export function toolVersion(): string {
  version ??= (
    JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {version: string}
  ).version
  return version
}
