// Changes to acldrift.config.yaml that weaken checking, as a table: one row per setting, saying
// which changes of it weaken, how severe that is, and the sentence that says so. The core's rows
// (the policy, the actors, the baseline) come first, then the rows each registered kind declares
// for its own settings; coverage by the document globs, which needs the repository's files, and
// the removal of the whole config are the two cases outside the table.

import {type KindSettings, type SettingChange, settingChange} from '../../adapters/adapter.js'
import {ADAPTERS} from '../../adapters/index.js'
import {readPathsAt} from '../../git/index.js'
import {type Config, configFromValue, DEFAULT_CONFIG} from '../config.js'
import {classifier, loadSource, type SourceSpec} from '../source.js'
import {canonicalJson} from '../../kernel/hash.js'
import {InvalidInputError} from '../../kernel/errors.js'
import {parseConfigContent} from '../config-parse.js'
import type {InputProblem, Severity, SourceMap} from '../../kernel/types.js'
import {lineOf, type Protected, protectedFinding} from './protected.js'
import {failOnWeakened} from './verdict.js'
import type {VersionCache} from './versions.js'

/** A setting that lists things (approvers, agents' emails and trailers): each item added, or each removed, weakens on its own. */
interface ListChange {
  setting: string
  rule: 'config-weakened' | 'approver-added'
  severity: Severity
  items(config: Config): ReadonlySet<string>
  weakenedBy: 'adding' | 'removing'
  message(file: string, item: string): string
  /** what the witness names besides the setting */
  witness(item: string): Record<string, unknown>
}

const agentSignals = (config: Config): ReadonlySet<string> =>
  new Set(
    (config.actors?.agents ?? []).flatMap((a) => [
      ...(a.emails ?? []).map((e) => `email ${e.toLowerCase()}`),
      ...(a.trailers ?? []).map((t) => `trailer ${t}`),
    ]),
  )

const automationEmails = (config: Config): ReadonlySet<string> =>
  new Set((config.actors?.automation ?? []).flatMap((a) => a.emails.map((e) => e.toLowerCase())))

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

/**
 * What `helm.charts` has acldrift read: each chart it names, and each values file a chart is
 * rendered with (the deployed variant; the changes to a file no longer named are not rendered).
 */
const helmRenders = (config: Config): ReadonlySet<string> => {
  const {helm} = config.settings
  const charts = isObject(helm) && isObject(helm.charts) ? helm.charts : {}
  return new Set(
    Object.entries(charts).flatMap(([dir, chart]) => [
      `chart ${dir}`,
      ...(isObject(chart) && Array.isArray(chart.values) ? chart.values : []).map(
        (values) => `values ${String(values)} of chart ${dir}`,
      ),
    ]),
  )
}

/** The core's rows. A value row's change is reported as config-weakened. */
export const CORE_ROWS: ReadonlyArray<SettingChange<Config> | ListChange> = [
  settingChange({
    setting: 'policy.failOn',
    severity: 'high',
    value: (config: Config) => config.policy.failOn,
    weakened: failOnWeakened,
    message: (file, old, now) =>
      `${file}: policy.failOn lowered from ${old} to ${now}, so fewer widenings fail the check.`,
  }),
  settingChange({
    setting: 'policy.agents',
    severity: 'high',
    value: (config: Config) => config.policy.agents,
    weakened: (old, now) => old === 'require-approval' && now === 'allow',
    message: (file) =>
      `${file}: policy.agents set to allow, so AI agents' widenings below failOn pass without a human approval.`,
  }),
  settingChange({
    setting: 'policy.requireSignedApprovals',
    severity: 'high',
    value: (config: Config) => config.policy.requireSignedApprovals,
    weakened: (old, now) => old && !now,
    message: (file) =>
      `${file}: policy.requireSignedApprovals turned off, so an approver's identity on an unsigned commit counts as their approval again.`,
  }),
  {
    setting: 'policy.approvers',
    rule: 'approver-added',
    severity: 'high',
    items: (config) => new Set(config.policy.approvers),
    weakenedBy: 'adding',
    message: (file, email) =>
      `${file}: ${email} added to policy.approvers: their approvals will let widenings pass.`,
    witness: (email) => ({approver: email}),
  } satisfies ListChange,
  {
    setting: 'actors.agents',
    rule: 'config-weakened',
    severity: 'medium',
    items: agentSignals,
    weakenedBy: 'removing',
    message: (file, item) =>
      `${file}: actors.agents no longer lists ${item}: commits it marks stop counting as an AI agent's.`,
    witness: (item) => ({removed: item}),
  } satisfies ListChange,
  {
    setting: 'actors.automation',
    rule: 'config-weakened',
    severity: 'medium',
    items: automationEmails,
    weakenedBy: 'adding',
    message: (file, email) =>
      `${file}: ${email} listed as automation: its commits may stop counting as an AI agent's.`,
    witness: (email) => ({added: email}),
  } satisfies ListChange,
  {
    setting: 'helm.charts',
    rule: 'config-weakened',
    severity: 'medium',
    items: helmRenders,
    weakenedBy: 'removing',
    message: (file, item) =>
      `${file}: helm.charts no longer names the ${item}: the chart is rendered as it is not deployed, and changes to what was dropped are not checked.`,
    witness: (item) => ({removed: item}),
  } satisfies ListChange,
  settingChange({
    setting: 'baseline',
    severity: 'medium',
    value: (config: Config) => config.baseline ?? null,
    weakened: (old, now) => old !== now,
    message: (file, old, now) =>
      `${file}: the baseline changed from ${old ?? 'HEAD'} to ${now ?? 'HEAD'}: changes are compared with another approved state.`,
    // Blamed on the commit that named the current baseline, not the first that left the old one.
    persists: (version, _old, now) => version === now,
  }),
]

/** A kind's row, asked of a whole config: its settings are under the kind's key. */
function kindRow<T>(settings: KindSettings<T>, row: SettingChange<T>): SettingChange<Config> {
  return {...row, value: (config) => row.value(settings.read(config.settings[settings.key]))}
}

/** The whole table: the core's rows and those of every registered kind. */
export const configRows = (): ReadonlyArray<SettingChange<Config> | ListChange> => [
  ...CORE_ROWS,
  ...ADAPTERS.flatMap(({settings}) => settings?.weakenings.map((row) => kindRow(settings, row)) ?? []),
]

/** One weakening between two versions of the config. */
interface Weakening {
  rule: 'config-weakened' | 'approver-added'
  severity: Severity
  pointer: string
  message: string
  witness: Record<string, unknown>
  /** whether a version of the config still has it (semantic blame asks each version) */
  holds(config: Config): boolean
}

const pointerOf = (setting: string) => `/${setting.split('.').join('/')}`

/** What the table finds between the config `old` and the config `now` (both in `file`). */
export function configWeakenings(file: string, old: Config, now: Config): Weakening[] {
  const out: Weakening[] = []
  for (const row of configRows()) {
    const {setting, severity} = row
    const pointer = pointerOf(setting)
    if ('items' in row) {
      const [was, is] = [row.items(old), row.items(now)]
      const adding = row.weakenedBy === 'adding'
      for (const item of adding ? [...is].filter((i) => !was.has(i)) : [...was].filter((i) => !is.has(i)))
        out.push({
          rule: row.rule,
          severity,
          pointer,
          message: row.message(file, item),
          witness: {setting, ...row.witness(item)},
          holds: (config) => row.items(config).has(item) === adding,
        })
      continue
    }
    const [was, is] = [row.value(old), row.value(now)]
    if (!row.weakened(was, is)) continue
    out.push({
      rule: 'config-weakened',
      severity,
      pointer,
      message: row.message(file, was, is),
      // A value a config does not set is null in the witness, as in the JSON report.
      witness: {setting, before: was ?? null, after: is ?? null},
      holds: (config) =>
        row.persists ? row.persists(row.value(config), was, is) : row.weakened(was, row.value(config)),
    })
  }
  return out
}

/**
 * Policy files the old config's documents/exclude globs read and the new one's do not (an
 * exclusion), or read as another kind (a glob's `kind:` changed): their access is no longer
 * checked as it was. Read from the target's files, and only when the globs changed.
 */
export async function uncoveredFiles(
  file: string,
  old: Config,
  now: Config,
  target: {root: string; spec: SourceSpec},
): Promise<Weakening[]> {
  if (canonicalJson([old.documents, old.exclude]) === canonicalJson([now.documents, now.exclude])) return []
  const [covered, still] = await Promise.all([
    loadSource(target.root, target.spec, old),
    loadSource(target.root, target.spec, now),
  ])
  return [...covered.documents]
    .filter(([path, document]) => still.documents.get(path)?.kind !== document.kind)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([path, document]): Weakening => {
      const kind = still.documents.get(path)?.kind ?? classifier(now)(path)
      if (kind !== undefined && kind !== 'detect')
        return {
          rule: 'config-weakened',
          severity: 'high',
          pointer: '/documents',
          message: `${file}: ${path} was read as ${document.kind} and a glob now assigns it ${kind}, so its access is not checked as ${document.kind}.`,
          witness: {setting: 'documents', reassigned: path, from: document.kind, to: kind},
          holds: (config) => classifier(config)(path) !== document.kind,
        }
      return {
        rule: 'config-weakened',
        severity: 'high',
        pointer: now.exclude.some(
          (glob) => classifier({...now, documents: [], exclude: [glob]})(path) === undefined,
        )
          ? '/exclude'
          : '/documents',
        message: `${file}: ${path} is no longer covered by the config's documents/exclude globs, so its access is not checked.`,
        witness: {setting: 'documents', uncovered: path},
        holds: (config) => classifier(config)(path) === undefined,
      }
    })
}

// ── versions of the config ────────────────────────────────────────────────────────────────

export type ConfigVersion =
  | {status: 'absent'}
  | {status: 'invalid'; problems: InputProblem[]}
  | {status: 'ok'; config: Config; value: unknown; sourceMap: SourceMap}

/** The defaults as a version of the config: what a new config nobody trusts yet is compared with (new-config.ts). */
export const DEFAULT_VERSION: ConfigVersion = {
  status: 'ok',
  config: DEFAULT_CONFIG,
  value: {},
  sourceMap: {locate: () => undefined},
}

/** The config as one side has it: absent, invalid (its problems), or read. */
export async function configVersion(
  path: string | undefined,
  side: Map<string, Buffer>,
): Promise<ConfigVersion> {
  const content = path === undefined ? undefined : side.get(path)
  if (path === undefined || content === undefined) return {status: 'absent'}
  return parseConfig(path, content)
}

/** The config as commit `commit` has it at `path`. */
export async function configVersionAt(root: string, path: string, commit: string): Promise<ConfigVersion> {
  const [side] = await readPathsAt(root, [{type: 'ref', commit}], [path])
  return configVersion(path, side!)
}

async function parseConfig(path: string, content: Buffer): Promise<ConfigVersion> {
  try {
    const parsed = await parseConfigContent(undefined, path, content)
    return {
      status: 'ok',
      config: configFromValue(parsed.value, path),
      value: parsed.value,
      sourceMap: parsed.sourceMap,
    }
  } catch (error) {
    if (!(error instanceof InvalidInputError)) throw error
    return {status: 'invalid', problems: error.problems}
  }
}

/**
 * The config's weakenings from the reference to the target, each with a way to ask any
 * version of the file whether it is still there. A removed config is one; a config new
 * since the reference is taken as written (its policy and approvers are the first ones: removing
 * a config to add a weaker one is caught by the removal, and by longer ranges) — the gate passes
 * DEFAULT_VERSION as `before` when a new config is not trusted as written (new-config.ts).
 */
export async function configChanges(
  file: string,
  before: ConfigVersion,
  after: ConfigVersion,
  target: {root: string; spec: SourceSpec},
  versions: VersionCache,
): Promise<Protected[]> {
  if (after.status === 'invalid' || before.status === 'invalid') return []
  if (after.status === 'absent') {
    if (before.status !== 'ok') return []
    const finding = protectedFinding({
      file,
      rule: 'config-weakened',
      severity: 'high',
      message: `${file} was removed: its policy, approvers and document globs no longer apply.`,
      witness: {setting: 'config', before: 'present', after: 'removed'},
      pointer: null,
      line: null,
      before: before.value,
      after: null,
    })
    return [{finding, path: file, holds: async (blob) => blob === null}]
  }
  if (before.status !== 'ok') return []
  const found = [
    ...configWeakenings(file, before.config, after.config),
    ...(await uncoveredFiles(file, before.config, after.config, target)),
  ]
  const configAt = (blob: string | null) =>
    versions.get(blob, 'config', async (content) => {
      const version = await parseConfig(file, content)
      return version.status === 'ok' ? version.config : undefined
    })
  return found.map((weakening) => ({
    finding: protectedFinding({
      file,
      rule: weakening.rule,
      severity: weakening.severity,
      message: weakening.message,
      witness: weakening.witness,
      pointer: weakening.pointer,
      line: lineOf(after.sourceMap, weakening.pointer),
      before: before.value,
      after: after.value,
    }),
    path: file,
    holds: async (blob) => {
      const config = await configAt(blob)
      return config !== undefined && weakening.holds(config)
    },
  }))
}
