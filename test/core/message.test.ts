// The commit-msg hook reads the message git will record: not git's comment lines, not the diff
// that `git commit --verbose` shows below the scissors line.
import {describe, expect, it} from 'vitest'
import {pendingMessage} from '../../src/core/message.js'

describe('pendingMessage', () => {
  it('keeps the message and its trailers', () => {
    const message = 'Fix AccessDenied\n\nCo-Authored-By: Claude <noreply@anthropic.com>\n'
    expect(pendingMessage(message)).toBe(message.trim())
  })

  it("drops git's comment lines", () => {
    const raw = [
      'Fix AccessDenied',
      '',
      '# Please enter the commit message for your changes. Lines starting',
      "# with '#' will be ignored.",
      '# Co-authored-by: Claude <noreply@anthropic.com>',
      '',
    ].join('\n')
    expect(pendingMessage(raw)).toBe('Fix AccessDenied')
  })

  it('drops everything below the scissors line, where a diff may quote a trailer', () => {
    const raw = [
      'Fix AccessDenied',
      '# ------------------------ >8 ------------------------',
      '# Do not modify or remove the line above.',
      'diff --git a/NOTES b/NOTES',
      '+Co-authored-by: Claude <noreply@anthropic.com>',
      '',
    ].join('\n')
    expect(pendingMessage(raw)).toBe('Fix AccessDenied')
  })
})
