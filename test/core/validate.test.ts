import {readdirSync, readFileSync} from 'node:fs'
import {describe, expect, test} from 'vitest'
import {parseFile} from '../../src/kernel/parse.js'
import type {InputProblem} from '../../src/kernel/types.js'
import {validateValue, type SchemaName} from '../../src/core/validate.js'

// Validators are precompiled into dist/validators by `npm run build` (the test script builds first).

function check(schema: SchemaName, path: string, text: string): Promise<InputProblem[]> {
  return validateValue(schema, parseFile({path, content: Buffer.from(text)}))
}

const json = (value: unknown) => JSON.stringify(value, null, 2)

describe('aws-iam: real-world policies are valid', () => {
  test('S3 bucket policy: service principal, public Deny, condition', async () => {
    const policy = {
      Version: '2012-10-17',
      Id: 'BucketPolicy',
      Statement: [
        {
          Sid: 'AllowCloudFrontServicePrincipalReadOnly',
          Effect: 'Allow',
          Principal: {Service: 'cloudfront.amazonaws.com'},
          Action: 's3:GetObject',
          Resource: 'arn:aws:s3:::acme-site/*',
          Condition: {
            StringEquals: {'AWS:SourceArn': 'arn:aws:cloudfront::111122223333:distribution/EDFDVBD6EXAMPLE'},
          },
        },
        {
          Sid: 'DenyInsecureTransport',
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:*',
          Resource: ['arn:aws:s3:::acme-site', 'arn:aws:s3:::acme-site/*'],
          Condition: {Bool: {'aws:SecureTransport': 'false'}},
        },
      ],
    }
    expect(await check('aws-iam', 'bucket.json', json(policy))).toEqual([])
  })

  test('KMS key policy: account root, cross-account principals, boolean condition value', async () => {
    const policy = {
      Version: '2012-10-17',
      Id: 'key-consolepolicy-3',
      Statement: [
        {
          Sid: 'Enable IAM User Permissions',
          Effect: 'Allow',
          Principal: {AWS: 'arn:aws:iam::111122223333:root'},
          Action: 'kms:*',
          Resource: '*',
        },
        {
          Sid: 'Allow use of the key',
          Effect: 'Allow',
          Principal: {AWS: ['arn:aws:iam::111122223333:role/app', '444455556666']},
          Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'],
          Resource: '*',
        },
        {
          Sid: 'Allow attachment of persistent resources',
          Effect: 'Allow',
          Principal: {AWS: 'arn:aws:iam::111122223333:role/app'},
          Action: ['kms:CreateGrant', 'kms:ListGrants', 'kms:RevokeGrant'],
          Resource: '*',
          Condition: {Bool: {'kms:GrantIsForAWSResource': true}},
        },
      ],
    }
    expect(await check('aws-iam', 'key.json', json(policy))).toEqual([])
  })

  test('role trust policy (YAML): Federated principal + Condition, no Resource', async () => {
    const policy = [
      'Version: "2012-10-17"',
      'Statement:',
      '  - Effect: Allow',
      '    Principal:',
      '      Federated: arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com',
      '    Action: sts:AssumeRoleWithWebIdentity',
      '    Condition:',
      '      StringEquals:',
      '        token.actions.githubusercontent.com:aud: sts.amazonaws.com',
      '      StringLike:',
      '        token.actions.githubusercontent.com:sub: "repo:acme/app:ref:refs/heads/main"',
      '  - Effect: Allow',
      '    Principal: {Service: [ec2.amazonaws.com, lambda.amazonaws.com]}',
      '    Action: [sts:AssumeRole, sts:TagSession]',
      '',
    ].join('\n')
    expect(await check('aws-iam', 'trust.yaml', policy)).toEqual([])
  })

  test('identity policy: NotAction, ForAllValues / ForAnyValue, IfExists, numbers, policy variables', async () => {
    const policy = {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'DenyAllExceptListedIfNoMFA',
          Effect: 'Deny',
          NotAction: [
            'iam:CreateVirtualMFADevice',
            'iam:EnableMFADevice',
            'iam:GetUser',
            'sts:GetSessionToken',
          ],
          Resource: '*',
          Condition: {BoolIfExists: {'aws:MultiFactorAuthPresent': 'false'}},
        },
        {
          Effect: 'Allow',
          Action: 'dynamodb:GetItem',
          Resource: 'arn:aws:dynamodb:*:*:table/Thread',
          Condition: {
            'ForAllValues:StringEquals': {'dynamodb:Attributes': ['ID', 'Message', 'Tags']},
            StringEqualsIfExists: {'dynamodb:Select': 'SPECIFIC_ATTRIBUTES'},
          },
        },
        {
          Effect: 'Allow',
          Action: 'ec2:*',
          Resource: '*',
          Condition: {
            'ForAnyValue:StringLike': {'aws:TagKeys': ['team/*']},
            NumericLessThanEquals: {'aws:MultiFactorAuthAge': 3600},
          },
        },
        {
          Effect: 'Allow',
          Action: 's3:ListBucket',
          Resource: 'arn:aws:s3:::home',
          Condition: {StringLike: {'s3:prefix': ['home/${aws:username}/*']}},
        },
        {
          Effect: 'Deny',
          NotPrincipal: {AWS: ['arn:aws:iam::111122223333:root']},
          Action: '*',
          NotResource: 'arn:aws:s3:::public/*',
        },
      ],
    }
    expect(await check('aws-iam', 'identity.json', json(policy))).toEqual([])
  })

  test('a single statement object (not an array) and the legacy version', async () => {
    const policy = {Version: '2008-10-17', Statement: {Effect: 'Allow', Action: '*', Resource: '*'}}
    expect(await check('aws-iam', 'legacy.json', json(policy))).toEqual([])
  })
})

describe('aws-iam: invalid policies name file, line, column and pointer', () => {
  test('both Action and NotAction', async () => {
    const text = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": "s3:GetObject",
      "NotAction": "s3:PutObject",
      "Resource": "*"
    }
  ]
}`
    expect(await check('aws-iam', 'p.json', text)).toEqual([
      {
        file: 'p.json',
        line: 4,
        column: 5,
        pointer: '/Statement/0',
        message: 'must have exactly one of Action, NotAction',
      },
    ])
  })

  test('neither Action nor NotAction, and no Effect', async () => {
    expect(await check('aws-iam', 'p.json', '{"Statement": [{"Resource": "*"}]}')).toEqual([
      {
        file: 'p.json',
        line: 1,
        column: 16,
        pointer: '/Statement/0',
        message: 'missing required property "Effect"',
      },
      {
        file: 'p.json',
        line: 1,
        column: 16,
        pointer: '/Statement/0',
        message: 'must have exactly one of Action, NotAction',
      },
    ])
  })

  test('Effect "allow" in lower case', async () => {
    const text = `{
  "Statement": {
    "Effect": "allow",
    "Action": "s3:GetObject",
    "Resource": "*"
  }
}`
    expect(await check('aws-iam', 'p.json', text)).toEqual([
      {
        file: 'p.json',
        line: 3,
        column: 15,
        pointer: '/Statement/Effect',
        message: 'must be "Allow" or "Deny" (found "allow")',
      },
    ])
  })

  test('unknown key "Acton" is reported, not ignored', async () => {
    const text = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Acton": "s3:GetObject",
      "Resource": "arn:aws:s3:::data/*"
    }
  ]
}`
    expect(await check('aws-iam', 'p.json', text)).toEqual([
      {
        file: 'p.json',
        line: 4,
        column: 5,
        pointer: '/Statement/0',
        message: 'must have exactly one of Action, NotAction',
      },
      {
        file: 'p.json',
        line: 6,
        column: 16,
        pointer: '/Statement/0/Acton',
        message: 'unknown property "Acton" (did you mean "Action"?)',
      },
    ])
  })

  test('Principal with an unknown type', async () => {
    const text = `{
  "Statement": [
    {
      "Effect": "Allow",
      "Principal": {"AWS": "111122223333", "Role": "admin"},
      "Action": "sts:AssumeRole"
    }
  ]
}`
    expect(await check('aws-iam', 'p.json', text)).toEqual([
      {
        file: 'p.json',
        line: 5,
        column: 52,
        pointer: '/Statement/0/Principal/Role',
        message: 'invalid key "Role": must be one of "AWS", "Service", "Federated", "CanonicalUser"',
      },
    ])
  })

  test('malformed principals, actions, resources and conditions, each at its own place', async () => {
    const text = `{
  "Statement": [
    {"Effect": "Allow", "Principal": "me", "Action": "s3GetObject", "Resource": "bucket"},
    {"Effect": "Allow", "Principal": {"AWS": []}, "Action": ["s3:*", 5], "Resource": "*"},
    {"Effect": "Deny", "Principal": "*", "NotPrincipal": {"AWS": "1"}, "Action": "*", "Condition": {"String Equals": {"a": "b"}, "Bool": {"k": {"x": 1}}}}
  ],
  "Extra": true
}`
    const problems = await check('aws-iam', 'p.json', text)
    expect(problems.map((p) => `${p.line}:${p.column} ${p.pointer} ${p.message}`)).toEqual([
      '3:38 /Statement/0/Principal must be "*" or an object of principal types (found "me")',
      '3:54 /Statement/0/Action must be an action such as "s3:GetObject" (service prefix, colon, action name with * and ? wildcards) or "*" (found "s3GetObject")',
      '3:81 /Statement/0/Resource must be "*" or an ARN such as "arn:aws:s3:::bucket/*" (found "bucket")',
      '4:46 /Statement/1/Principal/AWS must not be empty',
      '4:70 /Statement/1/Action/1 must be a string (found a number)',
      '5:5 /Statement/2 must not have both Principal and NotPrincipal',
      '5:118 /Statement/2/Condition/String Equals invalid key "String Equals": must be a condition operator such as "StringEquals", "ForAnyValue:StringLike" or "BoolIfExists"',
      '5:144 /Statement/2/Condition/Bool/k must be a string, a number, a boolean or an array (found an object)',
      '7:12 /Extra unknown property "Extra" (allowed: Version, Id, Statement)',
    ])
  })

  test('Resource and NotResource together (YAML)', async () => {
    const text =
      'Statement:\n  - Effect: Allow\n    Action: s3:GetObject\n    Resource: "*"\n    NotResource: "*"\n'
    expect(await check('aws-iam', 'p.yaml', text)).toEqual([
      {
        file: 'p.yaml',
        line: 2,
        column: 5,
        pointer: '/Statement/0',
        message: 'must not have both Resource and NotResource',
      },
    ])
  })

  test('policy level: missing Statement, bad Version, empty or mistyped Statement', async () => {
    expect(await check('aws-iam', 'p.json', '{"Version": "2012-10-18"}')).toEqual([
      {file: 'p.json', line: 1, column: 1, pointer: '', message: 'missing required property "Statement"'},
      {
        file: 'p.json',
        line: 1,
        column: 13,
        pointer: '/Version',
        message: 'must be one of "2012-10-17", "2008-10-17" (found "2012-10-18")',
      },
    ])
    expect((await check('aws-iam', 'p.json', '{"Statement": []}'))[0].message).toBe('must not be empty')
    expect((await check('aws-iam', 'p.json', '{"Statement": 5}'))[0].message).toBe(
      'must be an object or an array (found a number)',
    )
    expect(await check('aws-iam', 'p.json', '{"Statement": [5]}')).toEqual([
      {
        file: 'p.json',
        line: 1,
        column: 16,
        pointer: '/Statement/0',
        message: 'must be an object (found a number)',
      },
    ])
    expect(await check('aws-iam', 'p.yaml', '')).toEqual([
      {file: 'p.yaml', line: 1, column: 1, pointer: '', message: 'must be an object (found null)'},
    ])
  })

  test('a value reached through a YAML alias is located at the alias', async () => {
    const text =
      'x: &acts [s3GetObject]\n'.replace('x', 'Id') + 'Statement:\n  - Effect: Allow\n    Action: *acts\n'
    expect(await check('aws-iam', 'p.yaml', text)).toContainEqual(
      expect.objectContaining({line: 4, column: 13, pointer: '/Statement/0/Action/0'}),
    )
  })
})

describe('config', () => {
  test('a full config is valid', async () => {
    const text = [
      'version: 1',
      'documents:',
      '  - glob: "iam/**/*.json"',
      '    kind: aws-iam',
      'baseline: .acldrift/baseline.json',
      'policy:',
      '  failOn: high',
      'exclude: ["iam/examples/**"]',
      '',
    ].join('\n')
    expect(await check('config', 'acldrift.config.yaml', text)).toEqual([])
  })

  test('wrong version, unknown kind, misspelt key, unknown failOn', async () => {
    const text = [
      'version: 2',
      'documents:',
      '  - glob: "k8s/*.yaml"',
      '    kind: k8s',
      'baselin: main',
      'policy: {failOn: low}',
      '',
    ].join('\n')
    expect(await check('config', 'acldrift.config.yaml', text)).toEqual([
      {
        file: 'acldrift.config.yaml',
        line: 1,
        column: 10,
        pointer: '/version',
        message: 'must be 1 (found 2)',
      },
      {
        file: 'acldrift.config.yaml',
        line: 4,
        column: 11,
        pointer: '/documents/0/kind',
        message: expect.stringMatching(/^must be one of "aws-iam".* \(found "k8s"\)$/),
      },
      {
        file: 'acldrift.config.yaml',
        line: 5,
        column: 10,
        pointer: '/baselin',
        message: 'unknown property "baselin" (did you mean "baseline"?)',
      },
      {
        file: 'acldrift.config.yaml',
        line: 6,
        column: 18,
        pointer: '/policy/failOn',
        message: 'must be one of "widening", "critical", "high", "medium", "never" (found "low")',
      },
    ])
  })
})

describe('snapshot', () => {
  const snapshot = () => ({
    schemaVersion: 1,
    tool: {name: 'acldrift', version: '0.1.0'},
    createdAt: '2025-03-14T09:26:53.120Z',
    source: {type: 'ref', ref: 'main', commit: 'a1b2c3d4e5f60718293a4b5c6d7e8f9011223344'},
    documents: [
      {
        path: 'iam/app.json',
        kind: 'aws-iam',
        hash: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
        value: {Statement: []},
      },
    ],
  })

  test('a snapshot is valid', async () => {
    expect(await check('snapshot', 'baseline.json', json(snapshot()))).toEqual([])
    const unborn = {...snapshot(), source: {type: 'worktree', commit: null}}
    expect(await check('snapshot', 'baseline.json', json(unborn))).toEqual([])
  })

  test('bad hash, date and source type', async () => {
    const bad = snapshot()
    bad.createdAt = '2025-03-14 09:26'
    bad.source.type = 'branch'
    bad.documents[0].hash = bad.documents[0].hash.toUpperCase()
    const problems = await check('snapshot', 'baseline.json', json(bad))
    expect(problems.map((p) => [p.pointer, p.message])).toEqual([
      [
        '/createdAt',
        'must be an RFC 3339 date-time such as "2024-05-01T12:00:00Z" (found "2025-03-14 09:26")',
      ],
      ['/source/type', 'must be one of "worktree", "staged", "ref" (found "branch")'],
      ['/documents/0/hash', expect.stringMatching(/^must be a sha256 hex digest \(found "E3B0C44298/)],
    ])
  })
})

describe('report', () => {
  const report = () => ({
    schemaVersion: 1,
    tool: {name: 'acldrift', version: '0.1.0'},
    baseline: {source: 'HEAD', commit: 'a1b2c3d4e5f60718293a4b5c6d7e8f9011223344'},
    target: {source: 'staged', commit: null},
    summary: {documents: 1, widening: 1, narrowing: 0, possibleWidening: 0, invalid: 1},
    findings: [
      {
        id: '3f9c2ab5d1e04c7a',
        kind: 'aws-iam',
        file: 'iam/bucket.json',
        line: 12,
        pointer: '/Statement/1',
        change: 'widening',
        severity: 'critical',
        rule: 'public-principal',
        message: 'Anyone can read every object in bucket data.',
        witness: {principal: '*', action: 's3:GetObject', resource: 'arn:aws:s3:::data/x'},
        before: null,
        after: {Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::data/*'},
        diff: [{kind: 'N', path: ['Statement', 1]}],
        baselineLocation: {file: 'iam/bucket.json', line: null, pointer: null},
        commit: {
          sha: '9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e',
          author: {name: 'Jo', email: 'jo@example.com', date: '2025-03-13T17:02:11+01:00'},
          subject: 'open the bucket',
          actor: {
            type: 'agent',
            agent: 'Claude Code',
            confidence: 0.9,
            evidence: [{signal: 'trailer', detail: 'Co-Authored-By: Claude', strength: 'strong'}],
          },
        },
        approval: null,
      },
    ],
    errors: [
      {file: 'iam/broken.json', line: 3, column: 7, pointer: '/Statement', message: 'must not be empty'},
    ],
    notes: [],
  })

  test('a report is valid; commit may be null', async () => {
    expect(await check('report', 'report.json', json(report()))).toEqual([])
    const r = report()
    r.findings[0] = {...r.findings[0], commit: null as never, reason: 'unknown operator'} as never
    expect(await check('report', 'report.json', json(r))).toEqual([])
  })

  test('finding fields are checked', async () => {
    const r = report() as ReturnType<typeof report> & {extra?: number}
    Object.assign(r.findings[0], {id: 'has space', line: 0, change: 'widen', severity: 'info'})
    r.findings[0].commit.actor.type = 'bot'
    r.schemaVersion = 2
    const problems = await check('report', 'report.json', json(r))
    expect(problems.map((p) => [p.pointer, p.message])).toEqual([
      ['/schemaVersion', 'must be 1 (found 2)'],
      ['/findings/0/id', 'must be an id without whitespace (found "has space")'],
      ['/findings/0/line', 'must be >= 1 (found 0)'],
      ['/findings/0/change', 'must be one of "widening", "narrowing", "possible-widening" (found "widen")'],
      ['/findings/0/severity', 'must be one of "critical", "high", "medium", "low" (found "info")'],
      [
        '/findings/0/commit/actor/type',
        'must be one of "agent", "human", "automation", "unknown" (found "bot")',
      ],
    ])
  })
})

test('generated validators import nothing but ajv runtime helpers and node builtins', () => {
  const dir = new URL('../../dist/validators/', import.meta.url)
  const files = readdirSync(dir)
  expect(files).toEqual(expect.arrayContaining(['aws-iam.js', 'config.js', 'report.js', 'snapshot.js']))
  for (const file of files) {
    const code = readFileSync(new URL(file, dir), 'utf8')
    const specifiers = [...code.matchAll(/\bfrom\s*"([^"]+)"|\brequire\("([^"]+)"\)/g)].map(
      (m) => m[1] ?? m[2],
    )
    for (const specifier of specifiers)
      expect(specifier).toMatch(/^(node:module|ajv\/dist\/runtime\/[a-z0-9]+)$/)
  }
})
