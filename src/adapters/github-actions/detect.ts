// Recognising GitHub Actions workflows (light: the descriptor in index.ts imports it).
//
// GitHub runs the .yml and .yaml files directly in .github/workflows/ (not in its subfolders). By
// content, a workflow is a map with `on` (the events) and `jobs` (a map). The key `on` is read as
// the string "on": the YAML parser is YAML 1.2 (core schema), where only true/false are booleans.

import type {PathRule} from '../../kernel/candidates.js'

export const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

/** A path GitHub reads workflows from. */
export const WORKFLOW_PATHS: PathRule = {
  folder: '.github/workflows',
  extensions: ['yml', 'yaml'],
  ignoreCase: true,
}

export const detect = (value: unknown) => isObject(value) && 'on' in value && isObject(value.jobs)

/** Text that suggests a workflow even when it does not parse (it then fails closed). */
export const looksLike = (text: string) =>
  /^["']?on["']?[ \t]*:/m.test(text) && /^["']?jobs["']?[ \t]*:/m.test(text)
