// Recognising `terraform show -json` output (a plan, or a state): light, for the descriptor.
// https://developer.hashicorp.com/terraform/internals/json-format

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

/** A plan as `terraform show -json PLANFILE` writes it: its format version and what it plans. */
export const isPlan = (value: unknown): boolean =>
  isObject(value) &&
  typeof value.format_version === 'string' &&
  typeof value.terraform_version === 'string' &&
  (isObject(value.planned_values) || Array.isArray(value.resource_changes))

/** Text that is such output even when it does not parse: it then fails closed. */
export const looksLikePlan = (text: string): boolean =>
  /"format_version"\s*:/.test(text) && /"(planned_values|resource_changes)"\s*:/.test(text)
