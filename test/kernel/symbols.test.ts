import {describe, expect, it} from 'vitest'
import {displaySymbols, hasSymbol, splitSymbols, symbol, symbolsIn} from '../../src/kernel/symbols.js'

describe('symbols: unresolved template values inside strings', () => {
  const text = `arn:aws:s3:::${symbol('var.bucket')}/${symbol('Prefix')}*`

  it('are found, split and shown as ${NAME}', () => {
    expect(hasSymbol(text)).toBe(true)
    expect(hasSymbol('arn:aws:s3:::${aws:username}/*')).toBe(false)
    expect(symbolsIn(text)).toEqual(['var.bucket', 'Prefix'])
    expect(splitSymbols(text)).toEqual([
      {literal: 'arn:aws:s3:::'},
      {symbol: 'var.bucket'},
      {literal: '/'},
      {symbol: 'Prefix'},
      {literal: '*'},
    ])
    expect(displaySymbols(text)).toBe('arn:aws:s3:::${var.bucket}/${Prefix}*')
  })

  it('a policy variable is literal text here, never a symbol', () => {
    expect(symbolsIn('${aws:username}')).toEqual([])
    expect(splitSymbols('${aws:username}')).toEqual([{literal: '${aws:username}'}])
  })

  it('a name cannot smuggle the delimiters', () => {
    expect(symbolsIn(symbol('a\uE001b\uE000c'))).toEqual(['abc'])
  })
})
