import {readFileSync} from 'node:fs'
import {describe, expect, it} from 'vitest'
import {ADAPTERS} from '../../src/adapters/index.js'
import {GATE_RULES} from '../../src/core/gate/rules.js'
import {RULE_SECTIONS, headingAnchor, ruleCatalogue} from '../../src/core/rule-docs.js'

const root = new URL('../../', import.meta.url)

/** The text of a Markdown section: from its heading to the next heading of its level or above. */
function section(file: string, heading: string): string {
  const text = readFileSync(new URL(file, root), 'utf8')
  const start = text.split('\n').indexOf(heading)
  expect(start, `${file} has the heading ${heading}`).toBeGreaterThanOrEqual(0)
  const level = /^#+/.exec(heading)![0].length
  const lines = text.split('\n').slice(start + 1)
  const end = lines.findIndex((line) => new RegExp(`^#{1,${level}} `).test(line))
  return lines.slice(0, end === -1 ? undefined : end).join('\n')
}

describe('rule documentation', () => {
  it('links every rule of every kind and of the gate to the section that lists it', () => {
    const catalogue = ruleCatalogue()
    const declared = [...ADAPTERS.map((a) => [a.kind, a.rules] as const), ['acldrift', GATE_RULES] as const]
    for (const [kind, rules] of declared) {
      const {file, heading} = RULE_SECTIONS[kind]!
      const text = section(file, heading)
      for (const id of Object.keys(rules)) {
        expect(text, `${kind}/${id} in ${file} ${heading}`).toContain(`\`${id}\``)
        expect(catalogue[`${kind}/${id}`]?.helpUri).toBe(
          `https://github.com/acldrift/acldrift/blob/main/${file}#${headingAnchor(heading)}`,
        )
      }
    }
    expect(Object.keys(catalogue)).toHaveLength(
      declared.reduce((n, [, rules]) => n + Object.keys(rules).length, 0),
    )
  })

  it("makes GitHub's anchors of headings", () => {
    expect(headingAnchor('## What "widening" means')).toBe('what-widening-means')
    expect(headingAnchor('## Approvals, policy and protected files')).toBe(
      'approvals-policy-and-protected-files',
    )
    expect(headingAnchor('### The generic ACL format (`acl`)')).toBe('the-generic-acl-format-acl')
  })
})
