import {readFileSync} from 'node:fs'
import {PACKAGE_ROOT} from './package-files.js'

let version: string | undefined

/** acldrift's own version, from package.json. */
export function toolVersion(): string {
  version ??= (JSON.parse(readFileSync(new URL('package.json', PACKAGE_ROOT), 'utf8')) as {version: string})
    .version
  return version
}
