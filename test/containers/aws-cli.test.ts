// The AWS CLI output format: which outputs it recognises, the document it extracts from each,
// its name and its positions in the output file; and the pipeline's reading of such a file.

import {describe, expect, it} from 'vitest'
import {containerFor} from '../../src/containers/index.js'
import {offeredForContent} from '../../src/core/classify.js'
import {readDocuments} from '../../src/core/source.js'
import {parseFile} from '../../src/kernel/parse.js'

const awsCli = containerFor('aws-cli')
const document = {
  Version: '2012-10-17',
  Statement: [{Effect: 'Allow', Action: 's3:GetObject', Resource: '*'}],
}
const file = (path: string, value: unknown) => ({path, content: Buffer.from(JSON.stringify(value, null, 2))})

describe('aws-cli container format', () => {
  it.each([
    [
      'get-policy-version',
      {
        PolicyVersion: {
          Document: document,
          VersionId: 'v3',
          IsDefaultVersion: true,
          CreateDate: '2026-01-02T03:04:05Z',
        },
      },
      'PolicyVersion',
      '/PolicyVersion/Document',
    ],
    [
      'get-role-policy',
      {RoleName: 'app', PolicyName: 'Read', PolicyDocument: document},
      'role/app/Read',
      '/PolicyDocument',
    ],
    [
      'get-user-policy',
      {UserName: 'ann', PolicyName: 'Read', PolicyDocument: document},
      'user/ann/Read',
      '/PolicyDocument',
    ],
    [
      'get-group-policy',
      {GroupName: 'ops', PolicyName: 'Read', PolicyDocument: document},
      'group/ops/Read',
      '/PolicyDocument',
    ],
  ])('%s: one aws-iam document, named and located in the output', async (_, output, name, pointer) => {
    const parsed = parseFile(file('out.json', output))
    expect(awsCli.detect(parsed)).toBe(true)
    const {documents, problems} = await awsCli.extract(parsed)
    expect(problems).toEqual([])
    expect(documents).toHaveLength(1)
    expect(documents[0]).toMatchObject({kind: 'aws-iam', name, pointer, value: document})
    // The statement's position is its position in the output file.
    expect(documents[0]!.sourceMap.locate('/Statement/0')).toEqual(
      parsed.sourceMap.locate(`${pointer}/Statement/0`),
    )
  })

  it('decodes a document the output still holds URL-encoded, and fails closed on one that is not', async () => {
    const encoded = parseFile(
      file('out.json', {
        RoleName: 'app',
        PolicyName: 'Read',
        PolicyDocument: encodeURIComponent(JSON.stringify(document)),
      }),
    )
    expect((await awsCli.extract(encoded)).documents[0]!.value).toEqual(document)
    const garbled = parseFile(
      file('out.json', {RoleName: 'app', PolicyName: 'Read', PolicyDocument: '%7Bnot json'}),
    )
    const {documents, problems} = await awsCli.extract(garbled)
    expect(documents).toEqual([])
    expect(problems).toEqual([
      expect.objectContaining({
        file: 'out.json',
        line: 4,
        pointer: '/PolicyDocument',
        message: expect.stringContaining('URL-encoded JSON'),
      }),
    ])
  })

  it('describe-policy of an SCP or RCP: a guardrail document, every position at the Content line; other policy types are not access', async () => {
    const describe = (type: string, content = JSON.stringify(document)) => ({
      Policy: {
        PolicySummary: {Id: 'p-examplescp1', Name: 'ReadOnly', Type: type, AwsManaged: false},
        Content: content,
      },
    })
    for (const [type, name] of [
      ['SERVICE_CONTROL_POLICY', 'scp/ReadOnly'],
      ['RESOURCE_CONTROL_POLICY', 'rcp/ReadOnly'],
    ]) {
      const parsed = parseFile(file('org.json', describe(type!)))
      expect(awsCli.detect(parsed)).toBe(true)
      const {documents, problems} = await awsCli.extract(parsed)
      expect(problems).toEqual([])
      expect(documents[0]).toMatchObject({
        kind: 'aws-iam',
        name,
        pointer: '/Policy',
        value: {Guardrail: type, Content: document},
      })
      expect(documents[0]!.sourceMap.locate('/Content/Statement/0')).toEqual(
        parsed.sourceMap.locate('/Policy/Content'),
      )
    }
    expect(awsCli.detect(parseFile(file('tag.json', describe('TAG_POLICY'))))).toBe(false)

    // Through the pipeline, a statement the schema rejects names the SCP and the Content line.
    const invalid = describe(
      'SERVICE_CONTROL_POLICY',
      JSON.stringify({Statement: [{Effect: 'Permit', Action: '*', Resource: '*'}]}),
    )
    const broken = await readDocuments(file('org/scp.json', invalid), 'detect')
    expect(broken.problems).toEqual([
      expect.objectContaining({
        file: 'org/scp.json',
        line: 9,
        pointer: '/Policy/Content/Statement/0/Effect',
        message: expect.stringMatching(/^scp\/ReadOnly: /),
      }),
    ])
  })

  it('does not claim other JSON: a plain policy, a role listing without a document', () => {
    expect(awsCli.detect(parseFile(file('p.json', document)))).toBe(false)
    expect(awsCli.detect(parseFile(file('r.json', {RoleName: 'app', PolicyNames: ['Read']})))).toBe(false)
    expect(awsCli.detect(parseFile(file('v.json', {PolicyVersion: {VersionId: 'v1'}})))).toBe(false)
  })

  it('in the pipeline: the document is keyed FILE#NAME, hashed by meaning, and validated under aws-iam', async () => {
    const output = {RoleName: 'app', PolicyName: 'Read', PolicyDocument: document}
    const read = await readDocuments(file('exports/app.json', output), 'detect')
    expect(read.problems).toEqual([])
    expect(read.documents.map((d) => [d.path, d.kind, d.origin])).toEqual([
      [
        'exports/app.json#role/app/Read',
        'aws-iam',
        {file: 'exports/app.json', format: 'aws-cli', name: 'role/app/Read', pointer: '/PolicyDocument'},
      ],
    ])
    // Reformatted and reordered: the same hash, so the comparison skips it.
    const reordered = {
      PolicyDocument: {Statement: document.Statement, Version: '2012-10-17'},
      PolicyName: 'Read',
      RoleName: 'app',
    }
    const again = await readDocuments(
      {path: 'exports/app.json', content: Buffer.from(JSON.stringify(reordered))},
      'detect',
    )
    expect(again.documents[0]!.hash).toBe(read.documents[0]!.hash)

    const invalid = {
      ...output,
      PolicyDocument: {Statement: [{Effect: 'Permit', Action: 's3:*', Resource: '*'}]},
    }
    const broken = await readDocuments(file('exports/app.json', invalid), 'detect')
    expect(broken.documents).toEqual([])
    expect(broken.problems[0]).toMatchObject({
      file: 'exports/app.json',
      pointer: '/PolicyDocument/Statement/0/Effect',
      message: expect.stringMatching(/^role\/app\/Read: /),
    })
    expect(broken.problems[0]!.line).toBeGreaterThan(1)
  })

  it('output redirected to a file named without .json is read by content; other files of such names are passed over unlisted', async () => {
    const role = {RoleName: 'app', PolicyName: 'Read', PolicyDocument: document}
    for (const path of ['aws/app-role', 'aws/app-role.out', 'aws/app-role.txt']) {
      expect(offeredForContent(path)).toBe(true)
      const read = await readDocuments(file(path, role), 'detect')
      expect(read.problems).toEqual([])
      expect(read.documents.map((d) => [d.path, d.origin?.format])).toEqual([
        [`${path}#role/app/Read`, 'aws-cli'],
      ])
    }
    // A byte order mark and leading white space are still JSON.
    const bom = {path: 'aws/bom', content: Buffer.from(`\uFEFF\n  ${JSON.stringify(role)}`)}
    expect((await readDocuments(bom, 'detect')).documents).toHaveLength(1)
    // Names a kind or another format reads, dotfiles and other extensions are not offered for content.
    for (const path of ['CODEOWNERS', '.github/CODEOWNERS', 'a/b.json', 'a/b.yaml', '.gitignore', 'x.sh'])
      expect(offeredForContent(path)).toBe(false)
    // A script that mentions a policy document, text output, a binary: not opened as JSON, not listed.
    for (const content of [
      `#!/bin/sh\naws iam put-role-policy --policy-document '{"PolicyDocument": {"Statement": [' \n`,
      'ROLES\tarn:aws:iam::111122223333:role/app\tapp\n',
      '\u0000\u0001ELF binary',
    ]) {
      const read = await readDocuments({path: 'bin/rotate', content: Buffer.from(content)}, 'detect')
      expect(read).toEqual({documents: [], problems: [], notes: [], passedOver: true})
    }
    // Named on the command line, the file is read whatever it starts with: the user asked about it.
    const explicit = await readDocuments(
      {path: 'bin/rotate', content: Buffer.from('not json')},
      'detect',
      true,
    )
    expect(explicit.passedOver).toBeUndefined()
    // Opened as JSON, a file that claims to be such an output and does not parse fails closed.
    const broken = await readDocuments(
      {path: 'aws/export', content: Buffer.from('{"PolicyDocument": {')},
      'detect',
    )
    expect(broken.problems).toEqual([expect.objectContaining({file: 'aws/export'})])
  })

  it('a file that claims to be such an output and does not parse fails closed', async () => {
    const read = await readDocuments(
      {path: 'exports/x.json', content: Buffer.from('{"PolicyDocument": {')},
      'detect',
    )
    expect(read.problems).toHaveLength(1)
    expect(read.problems[0]).toMatchObject({file: 'exports/x.json'})
  })
})
