// The Framework's variables, resolved as far as the service file decides them.

import {describe, expect, it} from 'vitest'
import {VariableResolver} from '../../../src/containers/serverless/variables.js'
import {displaySymbols} from '../../../src/kernel/symbols.js'

const service = {
  service: 'orders',
  provider: {stage: "${opt:stage, 'dev'}", region: 'eu-west-1'},
  custom: {bucket: 'orders-${self:provider.stage}', buckets: ['a', 'b'], self: '${self:custom.self}'},
}

function resolved(value: unknown) {
  const resolver = new VariableResolver(service)
  const out = resolver.resolve(value)
  return {
    value: typeof out === 'string' ? displaySymbols(out) : out,
    assumed: Object.fromEntries(resolver.assumed),
  }
}

describe('Serverless Framework variables', () => {
  it('follows self: references, nested, and reads a fallback as the value, noting it', () => {
    expect(resolved('arn:aws:s3:::${self:custom.bucket}/*')).toEqual({
      value: 'arn:aws:s3:::orders-dev/*',
      assumed: {"${opt:stage, 'dev'}": 'dev'},
    })
    expect(resolved('${self:custom.${self:service}Table, "fallback"}')).toEqual({
      value: 'fallback',
      assumed: {'${self:custom.ordersTable, "fallback"}': 'fallback'},
    })
  })

  it('a string that is one variable takes its value, whatever its type', () => {
    expect(resolved('${self:custom.buckets}').value).toEqual(['a', 'b'])
  })

  it('what only the deployment knows is a symbol; the account and region are the pseudo parameters; IAM variables stay', () => {
    expect(resolved('${env:BUCKET}/${ssm:/app/key}').value).toBe('${env:BUCKET}/${ssm:/app/key}')
    expect(resolved('arn:aws:sqs:${aws:region}:${aws:accountId}:q').value).toBe(
      'arn:aws:sqs:${AWS::Region}:${AWS::AccountId}:q',
    )
    expect(resolved('home/${aws:username}/*')).toEqual({value: 'home/${aws:username}/*', assumed: {}})
    // The IAM variable is text, not a symbol.
    expect(new VariableResolver(service).resolve('${aws:username}')).toBe('${aws:username}')
  })

  it('a reference to itself ends as a symbol, not a hang', () => {
    expect(resolved('${self:custom.self}').value).toBe('${self:custom.self}')
  })
})
