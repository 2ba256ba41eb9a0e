// GitHub's "Workflow permissions" setting, which no file in the repository states: the token a
// workflow job gets when no permissions block applies. Permissive (read and write on every
// scope) unless the config says restricted, since assuming restricted where it is not would
// hide a job's write access.

import type {AdapterContext} from '../../kernel/types.js'
import {type KindSettings, settingChange} from '../adapter.js'
import type {DefaultPermissions} from './model.js'

interface GithubActionsSettings {
  defaultPermissions: DefaultPermissions
}

export const githubActionsSettings: KindSettings<GithubActionsSettings> = {
  key: 'githubActions',
  read: (section) => ({
    defaultPermissions: 'permissive',
    ...(section as Partial<GithubActionsSettings> | undefined),
  }),
  weakenings: [
    // Restricted is the trusting assumption: if the repository's setting is in fact permissive,
    // a job that loses its permissions block gains write access unreported.
    settingChange({
      setting: 'githubActions.defaultPermissions',
      severity: 'high',
      value: (settings: GithubActionsSettings) => settings.defaultPermissions,
      weakened: (old, now) => old === 'permissive' && now === 'restricted',
      message: (file) =>
        `${file}: githubActions.defaultPermissions set to restricted, so a workflow job that loses its permissions block is assumed to get a read-only token; if the repository's setting is permissive, that job gains write access unreported.`,
    }),
  ],
}

/** The setting as compare and allows are told it (the default when the context does not say). */
export const defaultPermissions = (context: AdapterContext): DefaultPermissions =>
  githubActionsSettings.read(context[githubActionsSettings.key]).defaultPermissions
