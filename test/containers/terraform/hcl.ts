// The Terraform property tests' writer: a JSON value as an HCL expression.

/** A JSON value as an HCL expression (what jsonencode() is given). */
export function hcl(value: unknown, indent = '  '): string {
  if (Array.isArray(value)) return `[${value.map((v) => hcl(v, indent)).join(', ')}]`
  if (typeof value === 'object' && value !== null) {
    const inner = `${indent}  `
    const entries = Object.entries(value).map(([k, v]) => `${inner}${JSON.stringify(k)} = ${hcl(v, inner)}`)
    return `{\n${entries.join('\n')}\n${indent}}`
  }
  return JSON.stringify(value)
}
