// Reading a service file: YAML with CloudFormation's short forms (the Framework accepts `!Ref`,
// `!GetAtt` … and passes them to the template), or JSON.

import {parseFile} from '../../kernel/parse.js'
import type {ParsedFile, SourceFile} from '../../kernel/types.js'
import {CLOUDFORMATION_TAGS} from '../cloudformation-tags.js'

export function readService(file: SourceFile): ParsedFile {
  return /\.json$/i.test(file.path)
    ? parseFile(file, 'json')
    : parseFile(file, 'yaml', {yamlTags: CLOUDFORMATION_TAGS})
}
