// The caches of long runs stay within their bound and forget the least recently used first.

import {describe, expect, it} from 'vitest'
import {BoundedMap} from '../../src/kernel/bounded.js'

describe('BoundedMap', () => {
  it('holds at most `limit` entries, dropping the least recently used', () => {
    const map = new BoundedMap<string, number>(3)
    map.set('a', 1)
    map.set('b', 2)
    map.set('c', 3)
    expect(map.get('a')).toBe(1) // a is now the most recently used: b goes first
    map.set('d', 4)
    expect(map.size).toBe(3)
    expect(map.get('b')).toBeUndefined()
    expect([map.get('a'), map.get('c'), map.get('d')]).toEqual([1, 3, 4])
  })

  it('stays within its bound over many more entries than it holds', () => {
    const map = new BoundedMap<number, number>(100)
    for (let i = 0; i < 10_000; i++) map.set(i, i)
    expect(map.size).toBe(100)
    expect(map.get(9_899)).toBeUndefined()
    expect(map.get(9_900)).toBe(9_900)
  })

  it('keeps an entry read between insertions, however many pass through', () => {
    const map = new BoundedMap<string, number>(10)
    map.set('hot', 0)
    for (let i = 0; i < 1_000; i++) {
      map.set(`cold-${i}`, i)
      expect(map.get('hot')).toBe(0)
    }
    expect(map.size).toBe(10)
  })

  it('counts weights, and keeps the newest entry even when it alone weighs more than the limit', () => {
    const map = new BoundedMap<string, string[]>(5, (value) => value.length)
    map.set('two', ['x', 'y'])
    map.set('three', ['x', 'y', 'z'])
    expect(map.weight).toBe(5)
    map.set('one', ['x'])
    expect([map.get('two'), map.weight]).toEqual([undefined, 4])
    map.set('six', ['1', '2', '3', '4', '5', '6'])
    expect([map.size, map.weight, map.get('six')?.length]).toEqual([1, 6, 6])
  })

  it('replaces a value set again, counting its weight once', () => {
    const map = new BoundedMap<string, string[]>(10, (value) => value.length)
    map.set('k', ['x', 'y', 'z'])
    map.set('k', ['x'])
    expect([map.size, map.weight]).toEqual([1, 1])
  })

  it('remembers: makes a value once, and again only after it was dropped', () => {
    const map = new BoundedMap<string, object>(1)
    let made = 0
    const make = () => ({made: ++made})
    const first = map.remember('a', make)
    expect(map.remember('a', make)).toBe(first)
    map.remember('b', make)
    expect(map.remember('a', make)).not.toBe(first)
    expect(made).toBe(3)
  })
})
