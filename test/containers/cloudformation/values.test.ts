// Reading a template: the YAML short forms as their long forms, at their positions, and the
// intrinsic functions evaluated as far as the template decides them — symbols for the rest,
// parameter defaults, one alternative per condition — through to the documents and their names.

import {describe, expect, it} from 'vitest'
import {containerFor} from '../../../src/containers/index.js'
import {CLOUDFORMATION_TAGS, SHORT_FORMS} from '../../../src/containers/cloudformation-tags.js'
import {resolve, type Scope, UnknownList} from '../../../src/containers/cloudformation/values.js'
import {readDocuments} from '../../../src/core/source.js'
import {parseFile} from '../../../src/kernel/parse.js'
import {displaySymbols, symbol} from '../../../src/kernel/symbols.js'

const yaml = (text: string) =>
  parseFile({path: 't.yaml', content: Buffer.from(text)}, 'yaml', {yamlTags: CLOUDFORMATION_TAGS})

const scope = (template: Partial<Omit<Scope, 'assumed'>> = {}): Scope => ({
  parameters: {},
  resources: {},
  mappings: {},
  ...template,
  assumed: new Map(),
})
/** The values of a node's alternatives, symbols as people read them. */
const values = (node: unknown, s = scope()) =>
  resolve(node, '', s).map((a) => (typeof a.value === 'string' ? displaySymbols(a.value) : a.value))

describe('the YAML short forms', () => {
  it.each([...SHORT_FORMS])(
    '!%s reads as {%s: …} on a scalar, a sequence and a mapping, where the tag is',
    (name, key) => {
      const parsed = yaml(`a: !${name} x\nb: !${name} [x, y]\nc: !${name}\n  k: v\n`)
      expect(parsed.value).toEqual({a: {[key]: 'x'}, b: {[key]: ['x', 'y']}, c: {[key]: {k: 'v'}}})
      expect(parsed.sourceMap.locate('/a')).toEqual({line: 1, column: 4 + name.length + 2})
      expect(parsed.sourceMap.locate(`/b/${key.replace('/', '~1')}/1`)).toEqual({
        line: 2,
        column: 4 + name.length + 6,
      })
    },
  )

  it('an unknown tag, and an alias bomb under the short forms, still fail closed', () => {
    expect(() => yaml('a: !Reff x\n')).toThrow(/Unresolved tag: !Reff/)
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]']
    for (let i = 0; i < 6; i++)
      bomb.push(
        `${'bcdefg'[i]}: &${'bcdefg'[i]} !Join ['', [*${'abcdef'[i]}, *${'abcdef'[i]}, *${'abcdef'[i]}, *${'abcdef'[i]}, *${'abcdef'[i]}, *${'abcdef'[i]}, *${'abcdef'[i]}, *${'abcdef'[i]}, *${'abcdef'[i]}, *${'abcdef'[i]}]]`,
      )
    expect(() => yaml(`${bomb.join('\n')}\n`)).toThrow(/alias bomb/)
  })
})

describe('intrinsic functions', () => {
  it('Ref: a pseudo parameter or resource is a symbol, a parameter its default (noted), AWS::NoValue nothing', () => {
    const s = scope({
      parameters: {
        Bucket: {Type: 'String', Default: 'data'},
        Key: {Type: 'AWS::SSM::Parameter::Value<String>', Default: '/app/key'},
        Names: {Type: 'CommaDelimitedList', Default: 'a, b ,c'},
        Open: {Type: 'String'},
      },
      resources: {Queue: {Type: 'AWS::SQS::Queue'}},
    })
    expect(values({Ref: 'AWS::AccountId'}, s)).toEqual(['${AWS::AccountId}'])
    expect(values({Ref: 'Queue'}, s)).toEqual(['${Queue}'])
    expect(values({Ref: 'Bucket'}, s)).toEqual(['data'])
    // An SSM parameter's default names the parameter, not its value.
    expect(values({Ref: 'Key'}, s)).toEqual(['${Key}'])
    expect(values({Ref: 'Names'}, s)).toEqual([['a', 'b', 'c']])
    expect(values({Ref: 'Open'}, s)).toEqual(['${Open}'])
    expect(values(['x', {Ref: 'AWS::NoValue'}, 'y'], s)).toEqual([['x', 'y']])
    expect([...s.assumed.keys()]).toEqual(['Bucket', 'Names'])
  })

  it('Fn::Sub: names, pseudo parameters, a variable map, ${!Literal}, and IAM policy variables left alone', () => {
    const s = scope({parameters: {Env: {Type: 'String', Default: 'prod'}}, resources: {Bucket: {}}})
    expect(values({'Fn::Sub': 'arn:${AWS::Partition}:s3:::${Bucket}/${Env}/*'}, s)).toEqual([
      'arn:${AWS::Partition}:s3:::${Bucket}/prod/*',
    ])
    expect(values({'Fn::Sub': '${Bucket.Arn}/${aws:username}/${!Literal}'}, s)).toEqual([
      '${Bucket.Arn}/${aws:username}/${Literal}',
    ])
    expect(values({'Fn::Sub': ['${Name}-${Id}', {Name: 'app', Id: {Ref: 'AWS::StackId'}}]}, s)).toEqual([
      'app-${AWS::StackId}',
    ])
    // A policy variable stays text IAM substitutes, not a symbol.
    expect(resolve({'Fn::Sub': '${aws:username}'}, '', s)[0]!.value).toBe('${aws:username}')
  })

  it('Fn::GetAtt, Fn::Join, Fn::Select, Fn::Split, Fn::FindInMap, and what stays unknown', () => {
    const s = scope({mappings: {Env: {prod: {Bucket: 'p'}}}})
    expect(values({'Fn::GetAtt': ['Role', 'Arn']}, s)).toEqual(['${Role.Arn}'])
    expect(values({'Fn::GetAtt': 'Stack.Outputs.Url'}, s)).toEqual(['${Stack.Outputs.Url}'])
    expect(values({'Fn::Join': [':', ['a', {Ref: 'AWS::Region'}, 'b']]}, s)).toEqual(['a:${AWS::Region}:b'])
    expect(values({'Fn::Select': [1, {'Fn::Split': [',', 'x,y,z']}]}, s)).toEqual(['y'])
    expect(values({'Fn::FindInMap': ['Env', 'prod', 'Bucket']}, s)).toEqual(['p'])
    expect(values({'Fn::FindInMap': ['Env', {Ref: 'AWS::Region'}, 'Bucket']}, s)).toEqual([
      '${FindInMap Env ${AWS::Region} Bucket}',
    ])
    expect(resolve({'Fn::GetAZs': ''}, '', s)[0]!.value).toBeInstanceOf(UnknownList)
    expect(values({'Fn::ImportValue': 'shared-arn'}, s)).toEqual(['${ImportValue shared-arn}'])
    expect(() => resolve({'Fn::Select': [5, ['a']]}, '/x', s)).toThrow(/outside the list/)
  })

  it('Fn::If: one alternative per branch, each holding under its condition; contradictions drop out', () => {
    const alternatives = resolve(
      ['a', {'Fn::If': ['C', 'b', {Ref: 'AWS::NoValue'}]}, {'Fn::If': ['C', 'c', 'd']}],
      '',
      scope(),
    )
    expect(alternatives.map((a) => [a.value, Object.fromEntries(a.when)])).toEqual([
      [['a', 'b', 'c'], {C: true}],
      [['a', 'd'], {C: false}],
    ])
  })
})

describe('a template read by the format', () => {
  const template = (policies: string) => `AWSTemplateFormatVersion: '2010-09-09'
Resources:
  AppRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - {Effect: Allow, Principal: {Service: ec2.amazonaws.com}, Action: sts:AssumeRole}
      Policies:
${policies}
`
  const read = (text: string, path = 'stack.yaml') =>
    readDocuments({path, content: Buffer.from(text)}, 'detect')
  const read1 = `        - PolicyName: Read
          PolicyDocument:
            Statement:
              - {Effect: Allow, Action: s3:GetObject, Resource: !Sub '\${Bucket.Arn}/*'}
`
  const write = `        - PolicyName: Write
          PolicyDocument:
            Statement:
              - {Effect: Allow, Action: s3:PutObject, Resource: '*'}
`

  it('names each document LogicalId/Path, whatever the order; its lines are in the template', async () => {
    const a = await read(template(read1 + write))
    const b = await read(`# moved\n\n${template(write + read1)}`)
    const names = (r: typeof a) => r.documents.map((d) => d.path).sort()
    expect(names(a)).toEqual([
      'stack.yaml#AppRole/AssumeRolePolicyDocument',
      'stack.yaml#AppRole/Policies/Read',
      'stack.yaml#AppRole/Policies/Write',
    ])
    expect(names(b)).toEqual(names(a))
    const readDoc = (r: typeof a) => r.documents.find((d) => d.path.endsWith('/Read'))!
    expect(readDoc(a).hash).toBe(readDoc(b).hash)
    expect(readDoc(a).value).toEqual({
      Statement: [{Effect: 'Allow', Action: 's3:GetObject', Resource: `${symbol('Bucket.Arn')}/*`}],
    })
    expect(readDoc(a).sourceMap.locate('/Statement/0/Resource')).toEqual({line: 13, column: 70})
    expect(readDoc(b).sourceMap.locate('/Statement/0/Resource')?.line).toBe(19)
    expect(readDoc(a).origin).toMatchObject({
      format: 'cloudformation',
      pointer: '/Resources/AppRole/Properties/Policies/0/PolicyDocument',
    })
  })

  it('a statement under a condition holds while the condition has its value, named with its definition', async () => {
    const text = `Conditions:
  IsProd: !Equals [!Ref Env, prod]
  Wide: !And [!Condition IsProd, !Equals [a, b]]
${template(`        - PolicyName: P
          PolicyDocument:
            Statement:
              - !If [Wide, {Effect: Allow, Action: 's3:*', Resource: '*'}, !Ref AWS::NoValue]
`)}`
    const {documents} = await read(text)
    const policy = documents.find((d) => d.path.endsWith('/P'))!
    expect(JSON.parse(displaySymbols(JSON.stringify(policy.value)))).toEqual({
      Statement: [
        {
          Effect: 'Allow',
          Action: 's3:*',
          Resource: '*',
          Condition: {
            StringEquals: {
              '${condition Wide = !And [(IsProd = !Equals [!Ref Env, prod]), !Equals [a, b]]}': 'true',
            },
          },
        },
      ],
    })
  })

  it('a file without the marks of a template is not parsed by the format; one that is a template with no access holds nothing', async () => {
    const format = containerFor('cloudformation')
    expect(
      await format.parse!({path: 'k8s.yaml', content: Buffer.from('kind: Role\nrules: []\n')}),
    ).toBeUndefined()
    const empty = await read(
      "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  B:\n    Type: AWS::S3::Bucket\n",
    )
    expect(empty).toEqual({documents: [], problems: [], notes: []})
  })

  it('a template that holds access and does not parse fails closed; what cannot be read fails at its line', async () => {
    const broken = await read(
      "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  R:\n    Type: AWS::IAM::Role\n    Properties: {\n",
    )
    expect(broken.problems.length).toBeGreaterThan(0)
    const unreadable = await read(
      template(`        - PolicyName: P
          PolicyDocument:
            Statement:
              - {Effect: Allow, Action: s3:GetObject, Resource: !Select [3, [a]]}
`),
    )
    expect(unreadable.problems).toEqual([
      expect.objectContaining({
        line: 13,
        pointer: '/Resources/AppRole/Properties/Policies/0/PolicyDocument/Statement/0/Resource/Fn::Select',
        message: expect.stringContaining('AppRole: Fn::Select: index 3 is outside the list'),
      }),
    ])
  })
})
