// gitBlobId must be the id git gives the same content: the hook compares it with the index's.

import {describe, expect, it} from 'vitest'
import {gitBlobId} from '../../src/kernel/hash.js'

describe('gitBlobId', () => {
  it('is the id `git hash-object` prints (SHA-1 object format)', () => {
    // `printf '' | git hash-object --stdin` and `printf 'hello\n' | git hash-object --stdin`
    expect(gitBlobId(Buffer.alloc(0))).toBe('e69de29bb2d1d6434b8b29ae775ad8c2e48c5391')
    expect(gitBlobId(Buffer.from('hello\n'))).toBe('ce013625030ba8dba906f756967f9e9ca394464a')
  })

  it('counts bytes, not characters', () => {
    // `printf 'é' | git hash-object --stdin`: two bytes in UTF-8
    expect(gitBlobId(Buffer.from('é'))).toBe('4b04fff51468d8ab5201ab02b725dc477bc7cb45')
  })
})
