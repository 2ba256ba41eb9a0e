// The vendored grammar (vendor/tree-sitter-hcl/README.md): the file is the release's, the
// installed web-tree-sitter is of the line that built it and accepts its ABI, and it parses
// Terraform. A web-tree-sitter upgrade to another line fails here before it fails on a user's file.

import {execFileSync} from 'node:child_process'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {pathToFileURL} from 'node:url'
import {describe, expect, it} from 'vitest'
import {LANGUAGE_VERSION, MIN_COMPATIBLE_VERSION} from 'web-tree-sitter'
import {GRAMMAR, loadParser, parseHcl} from '../../../src/containers/terraform/syntax.js'
import {sha256} from '../../../src/kernel/hash.js'
import {projectRoot} from '../../helpers/repo.js'

const GRAMMAR_SHA256 = '0d9ef3ae926acc0411bfecba9b34df4ea659061917b96455570a45a70824e890'

describe('the vendored Terraform grammar', () => {
  it('is the file of @tree-sitter-grammars/tree-sitter-hcl 1.2.0, unmodified, with its licence', () => {
    expect(sha256(readFileSync(GRAMMAR))).toBe(GRAMMAR_SHA256)
    expect(readFileSync(join(projectRoot, 'vendor/tree-sitter-hcl/LICENSE'), 'utf8')).toContain(
      'Apache License',
    )
  })

  it('runs on the installed web-tree-sitter, of the 0.25 line that built it', async () => {
    const installed = JSON.parse(
      readFileSync(join(projectRoot, 'node_modules/web-tree-sitter/package.json'), 'utf8'),
    ) as {version: string}
    expect(installed.version).toMatch(/^0\.25\./)
    const {language} = await loadParser()
    expect(language.abiVersion).toBeGreaterThanOrEqual(MIN_COMPATIBLE_VERSION)
    expect(language.abiVersion).toBeLessThanOrEqual(LANGUAGE_VERSION)
  })

  it('parses a Terraform file, and names the line of a syntax error', async () => {
    const file = await parseHcl({
      path: 'main.tf',
      content: Buffer.from('resource "aws_iam_policy" "p" {\n  policy = jsonencode({})\n}\n'),
    })
    expect(file.body.blocks.map((b) => [b.type, ...b.labels])).toEqual([['resource', 'aws_iam_policy', 'p']])
    expect([...file.body.blocks[0]!.body.attributes.keys()]).toEqual(['policy'])
    await expect(
      parseHcl({path: 'broken.tf', content: Buffer.from('resource "aws_iam_policy" "p" {\n  policy = \n')}),
    ).rejects.toMatchObject({problems: [expect.objectContaining({file: 'broken.tf'})]})
  })

  it('is compiled by the baseline compiler of V8 only, never recompiled on background threads', () => {
    // 40 files, more than a module read on both sides of a commit: before the flag, V8 recompiled
    // about twenty hot functions (the lexer, the parse loop) with TurboFan, ~250 ms of CPU.
    const syntax = pathToFileURL(join(projectRoot, 'dist/containers/terraform/syntax.js')).href
    const script = `const {parseHcl} = await import(${JSON.stringify(syntax)})
const text = 'data "aws_iam_policy_document" "p" {\\n  statement {\\n    actions = ["s3:GetObject", "s3:ListBucket"]\\n    resources = ["arn:aws:s3:::\${var.b}/*"]\\n  }\\n}\\n'
for (let i = 0; i < 40; i++) await parseHcl({path: i + '.tf', content: Buffer.from(text.repeat(5))})`
    const trace = execFileSync(
      process.execPath,
      ['--trace-wasm-compilation-times', '--input-type=module', '-e', script],
      {encoding: 'utf8'},
    )
    expect(trace).toMatch(/using Liftoff/)
    expect(trace).not.toMatch(/using TurboFan/)
  })
})
