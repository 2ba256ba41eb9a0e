import {describe, expect, it} from 'vitest'
import {applyEdit} from '../../../src/core/agent/edits.js'

const edit = (oldString: string, newString: string, replaceAll = false) => ({
  oldString,
  newString,
  replaceAll,
})

describe("applyEdit: the file after the agent's edit tool, computed as the tool does", () => {
  it('Write replaces the file, existing or not', () => {
    expect(applyEdit('old', {type: 'write', content: 'new'})).toEqual({ok: true, content: 'new'})
    expect(applyEdit(undefined, {type: 'write', content: 'new'})).toEqual({ok: true, content: 'new'})
  })

  it('Edit replaces one exact occurrence, or all with replace_all', () => {
    expect(applyEdit('a b a', {type: 'edit', edits: [edit('b', 'c')]})).toEqual({ok: true, content: 'a c a'})
    expect(applyEdit('a b a', {type: 'edit', edits: [edit('a', 'x', true)]})).toEqual({
      ok: true,
      content: 'x b x',
    })
    // `$&` in the new text is text, not a replacement pattern
    expect(applyEdit('a', {type: 'edit', edits: [edit('a', '$&$&')]})).toEqual({ok: true, content: '$&$&'})
  })

  it('fails where the tool fails: missing text, ambiguous text, a missing file', () => {
    expect(applyEdit('a', {type: 'edit', edits: [edit('b', 'c')]}).ok).toBe(false)
    expect(applyEdit('a a', {type: 'edit', edits: [edit('a', 'c')]}).ok).toBe(false)
    expect(applyEdit(undefined, {type: 'edit', edits: [edit('a', 'c')]}).ok).toBe(false)
    expect(applyEdit(undefined, {type: 'edit', edits: [edit('', 'new file')]})).toEqual({
      ok: true,
      content: 'new file',
    })
  })

  it("Gemini CLI's replace with expected_replacements: exactly that many occurrences, all replaced", () => {
    const times = (count: number) => ({type: 'edit' as const, edits: [{...edit('a', 'x'), count}]})
    expect(applyEdit('a b a', times(2))).toEqual({ok: true, content: 'x b x'})
    expect(applyEdit('a b a', times(1)).ok).toBe(false)
    expect(applyEdit('a b a', times(3)).ok).toBe(false)
    expect(applyEdit('a b', times(1))).toEqual({ok: true, content: 'x b'})
  })

  it('MultiEdit applies its edits in order, each to the previous result, all or nothing', () => {
    const edits = [edit('"AWS": "role"', '"AWS": "*"'), edit('"*"', '"anyone"')]
    expect(applyEdit('{"AWS": "role"}', {type: 'edit', edits})).toEqual({
      ok: true,
      content: '{"AWS": "anyone"}',
    })
    expect(applyEdit('{"AWS": "role"}', {type: 'edit', edits: [...edits, edit('missing', 'x')]}).ok).toBe(
      false,
    )
  })
})
