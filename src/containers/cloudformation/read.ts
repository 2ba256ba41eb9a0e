// Reading a template: JSON as JSON, YAML with CloudFormation's short forms (`!Ref`, `!Sub` …)
// through the kernel's YAML reader (its limits and positions), and nothing at all for a file
// that shows no sign of being a template, so that every other JSON and YAML file of the
// repository is not parsed twice.

import {parseFile} from '../../kernel/parse.js'
import type {ParsedFile, SourceFile} from '../../kernel/types.js'

/** What every template has: its format version, or a resource type such as `AWS::IAM::Role`. */
const TEMPLATE_MARK = /AWSTemplateFormatVersion|\bType["']?\s*:\s*["']?(AWS|Alexa|Custom)::/

export async function readTemplate(file: SourceFile): Promise<ParsedFile | undefined> {
  if (!TEMPLATE_MARK.test(file.content.toString('utf8'))) return undefined
  const json =
    /\.json$/i.test(file.path) ||
    (/\.template$/i.test(file.path) && /^\s*\{/.test(file.content.toString('utf8')))
  if (json) return parseFile(file, 'json')
  // The tags need the yaml package: a JSON policy file (every one is offered here) does not load it.
  const {CLOUDFORMATION_TAGS} = await import('../cloudformation-tags.js')
  return parseFile(file, 'yaml', {yamlTags: CLOUDFORMATION_TAGS})
}
