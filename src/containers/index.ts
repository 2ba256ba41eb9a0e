// The one place where container formats are registered (see container.ts). Each format lives
// in its own folder, whose index.ts exports a light descriptor.

import type {ContainerFormat} from './container.js'
import {awsCli} from './aws-cli/index.js'
import {cloudformation} from './cloudformation/index.js'
import {helm} from './helm/index.js'
import {kustomize} from './kustomize/index.js'
import {serverless} from './serverless/index.js'
import {snapshot} from './snapshot/index.js'
import {terraform, terraformPlan} from './terraform/index.js'

export type {ContainerFormat, EmbeddedDocument, Extraction, Rendering, SourceFiles} from './container.js'

export const CONTAINERS: readonly ContainerFormat[] = [
  awsCli,
  cloudformation,
  helm,
  kustomize,
  serverless,
  snapshot,
  terraform,
  terraformPlan,
]

/** The formats read from the repository's files. */
export const SCANNED_CONTAINERS: readonly ContainerFormat[] = CONTAINERS.filter((c) => c.scan)

export function containerFor(format: string): ContainerFormat {
  const container = CONTAINERS.find((c) => c.format === format)
  if (!container) throw new Error(`internal: no container format ${format}`)
  return container
}
