// A lazily loaded module is loaded once however often it is asked for (issue 16.5: an audit asks a
// descriptor's lazy methods once per file and per version), and a failed load is tried again.

import {describe, expect, it} from 'vitest'
import {lazyModule} from '../../src/kernel/lazy.js'

describe('lazyModule', () => {
  it('loads once, and every caller gets that module', async () => {
    let loads = 0
    const module = lazyModule(async () => ({loads: ++loads}))
    const [a, b] = await Promise.all([module(), module()])
    expect(await module()).toBe(a)
    expect(b).toBe(a)
    expect(loads).toBe(1)
  })

  it('tries a failed load again', async () => {
    let loads = 0
    const module = lazyModule(async () => {
      if (++loads === 1) throw new Error('not built')
      return {loads}
    })
    await expect(module()).rejects.toThrow('not built')
    expect(await module()).toEqual({loads: 2})
  })
})
