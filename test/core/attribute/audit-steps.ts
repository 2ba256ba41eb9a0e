// An audit's steps run in process, for the tests that count what they do: both revisions read
// and compared, then the findings attributed from history, as `audit` runs them.
import {DEFAULT_ADAPTER_SETTINGS} from '../../../src/adapters/index.js'
import {attribute} from '../../../src/core/attribute/index.js'
import {compareChanged} from '../../../src/core/compare.js'
import {DEFAULT_CONFIG} from '../../../src/core/config.js'
import {loadSource} from '../../../src/core/source.js'

/** The findings of `base`..`head`, and the call that attributes them (its notes are returned). */
export async function compareRevisions(dir: string, base: string, head: string) {
  const [before, after] = await Promise.all([
    loadSource(dir, {type: 'ref', rev: base}, DEFAULT_CONFIG),
    loadSource(dir, {type: 'ref', rev: head}, DEFAULT_CONFIG),
  ])
  const {findings} = await compareChanged(before.documents, after.documents, DEFAULT_ADAPTER_SETTINGS)
  const attributeAll = () =>
    attribute(findings, {
      root: dir,
      baseline: base,
      target: {type: 'ref', commit: head},
      documents: after.documents,
    })
  return {findings, attributeAll}
}
