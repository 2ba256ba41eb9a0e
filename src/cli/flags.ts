// The shared flag specs as oclif flags.

import {Flags, type Interfaces} from '@oclif/core'
import type {FlagSpec} from './flag-specs.js'

type OclifFlags<T extends Record<string, FlagSpec>> = {
  [K in keyof T]: T[K]['type'] extends 'boolean'
    ? Interfaces.BooleanFlag<boolean>
    : Interfaces.OptionFlag<string | undefined>
}

export function oclifFlags<T extends Record<string, FlagSpec>>(specs: T): OclifFlags<T> {
  const out: Record<string, unknown> = {}
  for (const [name, spec] of Object.entries(specs)) {
    const common = {
      description: spec.description,
      exclusive: spec.exclusive,
      char: spec.char as Interfaces.AlphabetLowercase | Interfaces.AlphabetUppercase | undefined,
      aliases: spec.aliases,
    }
    out[name] =
      spec.type === 'boolean'
        ? Flags.boolean({...common, allowNo: spec.allowNo ?? false})
        : Flags.string({
            ...common,
            options: spec.options ? [...spec.options] : undefined,
            default: spec.default,
            helpValue: spec.helpValue,
          })
  }
  return out as OclifFlags<T>
}
