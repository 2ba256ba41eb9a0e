// Where acldrift's own files are at run time, named in one place because three layouts run the
// same code: the sources (src/, under the tests), the build (dist/), and the hook bundle
// (hook/acldrift.js, one file built by scripts/bundle-hook.js for installs that do not build, such
// as the pre-commit framework's). The bundle replaces this module with its own locations.

/** The package's root folder (package.json): two levels up from src/kernel and dist/kernel. */
export const PACKAGE_ROOT = new URL('../../', import.meta.url)

/** The files the build generates or copies (the AWS action catalogue, the Terraform grammar). */
export const BUILT_FILES = new URL('dist/', PACKAGE_ROOT)
