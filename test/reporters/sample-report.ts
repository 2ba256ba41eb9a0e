// A report as `acldrift check --staged` would produce it after an agent opened an S3 bucket to the world.
import type {Report} from '../../src/kernel/types.js'

const AGENT_COMMIT = {
  sha: '3f9c2ab5d1e04c7a9b8e6f5d4c3b2a1908172635',
  author: {name: 'Sam Rivera', email: 'sam.rivera@acme.example', date: '2025-03-14T09:26:53+01:00'},
  subject: 'Let the CDN read exported reports',
  actor: {
    type: 'agent' as const,
    agent: 'Claude Code',
    confidence: 0.9,
    evidence: [
      {
        signal: 'trailer',
        detail: 'Co-Authored-By: Claude <noreply@anthropic.com>',
        strength: 'strong' as const,
      },
      {signal: 'message-marker', detail: 'Generated with [Claude Code]', strength: 'high' as const},
    ],
  },
}

/** A fresh copy each call, so a test may change it freely. */
export function sampleReport(): Report {
  return {
    schemaVersion: 1,
    tool: {name: 'acldrift', version: '0.1.0'},
    baseline: {source: '.acldrift/baseline.json', commit: 'a1b2c3d4e5f60718293a4b5c6d7e8f9011223344'},
    target: {source: 'staged', commit: null},
    summary: {documents: 5, widening: 2, narrowing: 1, possibleWidening: 1, invalid: 1},
    findings: [
      {
        id: 'aws-iam:iam/roles/ci-deploy.json:iam:PassRole',
        kind: 'aws-iam',
        file: 'iam/roles/ci-deploy.json',
        line: 9,
        pointer: '/Statement/0',
        change: 'narrowing',
        severity: 'low',
        rule: 'grant-removed',
        message: 'Role ci-deploy can no longer pass any role to a service.',
        witness: {
          principal: 'arn:aws:iam::123456789012:role/ci-deploy',
          action: 'iam:PassRole',
          resource: 'arn:aws:iam::123456789012:role/app-runtime',
        },
        before: {Effect: 'Allow', Action: 'iam:PassRole', Resource: 'arn:aws:iam::123456789012:role/*'},
        after: null,
        diff: [{kind: 'D', path: ['Statement', 0]}],
        commit: null,
        approval: null,
      },
      {
        id: 'aws-iam:iam/s3/customer-data-bucket.json:public:s3:ListBucket',
        kind: 'aws-iam',
        file: 'iam/s3/customer-data-bucket.json',
        line: 14,
        pointer: '/Statement/1',
        change: 'widening',
        severity: 'high',
        rule: 'public-principal',
        message: 'Statement "CdnRead" lets anyone list the keys of bucket acme-customer-data.',
        witness: {principal: '*', action: 's3:ListBucket', resource: 'arn:aws:s3:::acme-customer-data'},
        before: null,
        after: {Sid: 'CdnRead', Effect: 'Allow', Principal: '*', Action: ['s3:GetObject', 's3:ListBucket']},
        diff: [{kind: 'N', path: ['Statement', 1]}],
        commit: structuredClone(AGENT_COMMIT),
        approval: null,
      },
      {
        id: 'aws-iam:iam/s3/customer-data-bucket.json:public:s3:GetObject',
        kind: 'aws-iam',
        file: 'iam/s3/customer-data-bucket.json',
        line: 14,
        pointer: '/Statement/1',
        change: 'widening',
        severity: 'critical',
        rule: 'public-principal',
        message:
          'Statement "CdnRead" lets anyone on the internet read every object in bucket acme-customer-data.',
        witness: {
          principal: '*',
          action: 's3:GetObject',
          resource: 'arn:aws:s3:::acme-customer-data/exports/customers-2025-03.csv',
          context: {'aws:SecureTransport': true, 'aws:SourceIp': '203.0.113.7'},
        },
        before: null,
        after: {
          Sid: 'CdnRead',
          Effect: 'Allow',
          Principal: '*',
          Action: ['s3:GetObject', 's3:ListBucket'],
          Resource: ['arn:aws:s3:::acme-customer-data', 'arn:aws:s3:::acme-customer-data/*'],
        },
        diff: [{kind: 'N', path: ['Statement', 1]}],
        baselineLocation: {file: 'iam/s3/customer-data-bucket.json', line: 5, pointer: '/Statement/0'},
        commit: structuredClone(AGENT_COMMIT),
        approval: null,
      },
      {
        id: 'aws-iam:iam/roles/analytics.json:s3:PutObject',
        kind: 'aws-iam',
        file: 'iam/roles/analytics.json',
        line: 21,
        pointer: '/Statement/2/Condition',
        change: 'possible-widening',
        severity: 'medium',
        rule: 'undecidable-condition',
        message: 'Role analytics may be able to write to bucket acme-analytics outside its prefix.',
        reason:
          'Condition operator "StringLikeIfExistz" is unknown; the engine cannot decide which requests it allows.',
        witness: {
          principal: 'arn:aws:iam::123456789012:role/analytics',
          action: 's3:PutObject',
          resource: 'arn:aws:s3:::acme-analytics/raw/x',
        },
        before: {Condition: {StringLike: {'s3:prefix': 'reports/*'}}},
        after: {Condition: {StringLikeIfExistz: {'s3:prefix': 'reports/*'}}},
        diff: [{kind: 'E', path: ['Condition'], lhs: 'StringLike', rhs: 'StringLikeIfExistz'}],
        commit: {
          sha: '9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e',
          author: {name: 'Jo Chen', email: 'jo@acme.example', date: '2025-03-13T17:02:11+01:00'},
          subject: 'analytics: tighten prefix condition',
          actor: {type: 'unknown', confidence: 0, evidence: []},
        },
        approval: null,
      },
    ],
    errors: [
      {
        file: 'iam/roles/broken.json',
        line: 7,
        column: 19,
        pointer: '/Statement/0/Effect',
        message: 'must be equal to one of the allowed values: Allow, Deny',
      },
    ],
    notes: [
      'Action "s3:GetObjectTorrentz" is not in the IAM action catalogue; it was matched as a literal name.',
    ],
  }
}

/** The same comparison with nothing changed and nothing invalid. */
export function cleanReport(): Report {
  return {
    ...sampleReport(),
    summary: {documents: 5, widening: 0, narrowing: 0, possibleWidening: 0, invalid: 0},
    findings: [],
    errors: [],
    notes: [],
  }
}

/** The sample with its first finding on an object of a kustomize overlay, written in a base file. */
export function renderedReport(): Report {
  const report = sampleReport()
  Object.assign(report.findings[0]!, {
    file: 'deploy/overlays/prod/kustomization.yaml',
    document: 'ClusterRole/prod-pod-reader',
    line: 5,
    renderedFrom: {file: 'deploy/base/pod-reader.yaml', line: 6},
  })
  return report
}
