// `acldrift baseline update`: promote the current state (the working tree, or a revision) to
// the baseline snapshot file. Narrowings go through; a widening only when a valid approval
// covers it, and only while every change to acldrift's own files is approved — else nothing is
// written. The new snapshot records who updated it, how that
// identity was classified, the commit the state belongs to and the approvals used.

import {existsSync} from 'node:fs'
import {readFile} from 'node:fs/promises'
import {resolve} from 'node:path'
import {pendingActor} from './actors/pending.js'
import {runCheck} from './check.js'
import {type Config, CONFIG_FILE} from './config.js'
import {InvalidInputError, UsageError} from '../kernel/errors.js'
import {assertWritableInside} from '../kernel/files.js'
import {headCommit} from '../git/index.js'
import {approvedBaselineFile, revisionConfig} from './gate/reference.js'
import {aboutProtectedFiles} from './gate/rules.js'
import {buildSnapshot, writeSnapshot, type Snapshot} from './snapshot.js'
import {loadSource, type SourceSpec} from './source.js'
import type {Finding, Report} from '../kernel/types.js'

interface BaselineUpdateRequest {
  root: string
  cwd: string
  config: Config
  target: Extract<SourceSpec, {type: 'worktree' | 'ref'}>
  /** the snapshot file to update (default: the config's baseline) */
  out?: string
  env?: NodeJS.ProcessEnv
  now?: Date
}

export interface BaselineUpdateResult {
  /** the baseline file, as named */
  file: string
  /** false when refused, or when the baseline was already up to date */
  written: boolean
  /** widenings, and changes to acldrift's own files, without a valid approval: when there are any, nothing is written */
  unapproved: Finding[]
  /** approved widenings promoted */
  approved: Finding[]
  narrowings: Finding[]
  report: Report
  snapshot?: Snapshot
}

/**
 * The config's baseline file is written only where the approved config names it too (for the
 * revision updated from; HEAD for the working tree): an uncommitted `baseline:` pointing at another
 * file (an agent's own snapshot, say) would be compared with and written instead (gate/reference.ts).
 */
async function assertApprovedFile(request: BaselineUpdateRequest): Promise<void> {
  const {root, config} = request
  const rev = request.target.type === 'ref' ? request.target.rev : await headCommit(root)
  const approved = rev === null ? undefined : await approvedBaselineFile(request, rev)
  if (approved === undefined) return
  const where = (named: string | undefined) => (named === undefined ? undefined : resolve(root, named))
  if (where(approved.named) === where(config.baseline)) return
  throw new UsageError(
    `the working tree's config names ${config.baseline ?? 'no baseline'} as the baseline, but the approved config (${approved.at.slice(0, 7)}) names ${approved.named ?? 'none'}: nothing is written. Commit the change to \`baseline:\` as a listed approver first, or name the file with --output`,
  )
}

export async function updateBaseline(request: BaselineUpdateRequest): Promise<BaselineUpdateResult> {
  const {root, cwd, config} = request
  if (request.out === undefined) await assertApprovedFile(request)
  const named = request.out ?? config.baseline
  if (named === undefined)
    throw new UsageError(
      'no baseline file to update: set `baseline:` in acldrift.config.yaml, or pass --output FILE',
    )
  const file = request.out !== undefined ? resolve(cwd, named) : resolve(root, named)
  // --output is the user's own choice; a path from the repository's config must stay in the repository.
  if (request.out === undefined) await assertWritableInside(root, file, CONFIG_FILE)
  if (!existsSync(file))
    throw new UsageError(
      `${named} does not exist: take the first baseline with \`acldrift snapshot --output ${named}\`, then update it`,
    )

  const report = await runCheck({root, cwd, config, target: request.target, baseline: file})
  if (report.errors.length > 0) throw new InvalidInputError(report.errors)
  // Access that the new baseline would accept: widenings of policy files, and of the baseline file itself.
  const widenings = report.findings.filter((f) => f.change !== 'narrowing' && f.kind !== 'acldrift')
  // A routine update must not absorb what nobody approved in acldrift's own files (an agent's
  // rewritten snapshot, config or approvals): they are judged as a revision is, against the
  // approved state, and any unapproved change there refuses the update.
  const protectedReport =
    request.target.type === 'ref' || (await headCommit(root)) === null
      ? report
      : await runCheck({
          root,
          cwd,
          config,
          target: {type: 'ref', rev: 'HEAD'},
          baseline: file,
          attribute: false,
        })
  if (protectedReport.errors.length > 0) throw new InvalidInputError(protectedReport.errors)
  const tampered = protectedReport.findings.filter(
    (f) => aboutProtectedFiles(f) && f.change !== 'narrowing' && f.approval?.valid !== true,
  )
  const tamperedIds = new Set(tampered.map((f) => f.id))
  const unapproved = [
    ...tampered,
    ...widenings.filter((f) => f.approval?.valid !== true && !tamperedIds.has(f.id)),
  ]
  const approved = widenings.filter((f) => f.approval?.valid === true)
  const narrowings = report.findings.filter((f) => f.change === 'narrowing' && f.kind !== 'acldrift')
  const result = {file: named, written: false, unapproved, approved, narrowings, report}
  if (unapproved.length > 0) return result

  // A revision is read with its own config, as the check above read it (gate/reference.ts).
  const source = await loadSource(root, request.target, await revisionConfig(request, request.target))
  if (source.problems.length > 0) throw new InvalidInputError(source.problems)
  const previous = JSON.parse(await readFile(file, 'utf8')) as Snapshot
  const same = (s: Pick<Snapshot, 'documents'>) =>
    JSON.stringify(s.documents.map((d) => [d.path, d.kind, d.hash]))
  const {identity, actor} = await pendingActor(root, {env: request.env ?? process.env, actors: config.actors})
  const snapshot = buildSnapshot(source, request.now ?? new Date(), {
    name: identity.author.name,
    email: identity.author.email,
    actor: {type: actor.type, ...(actor.agent === undefined ? {} : {agent: actor.agent})},
    commit: source.commit,
    approvals: [...new Set(approved.map((f) => f.approval!.id ?? f.id))],
  })
  if (same(previous) === same(snapshot) && widenings.length === 0 && narrowings.length === 0)
    return {...result, snapshot: previous}
  await writeSnapshot(file, snapshot, request.out === undefined ? root : undefined)
  return {...result, written: true, snapshot}
}
