// The YAML short forms of CloudFormation's intrinsic functions (`!Ref Bucket`, `!Sub '…'`,
// `!GetAtt Role.Arn` …), read as the long forms they stand for (`{Ref: Bucket}`,
// `{"Fn::Sub": "…"}`, `{"Fn::GetAtt": "Role.Arn"}`), as CloudFormation itself reads them
// (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference.html).
// Shared by the formats whose files hold CloudFormation: templates (SAM included) and Serverless
// Framework services, which pass these functions through to the template they generate. Passed
// to the kernel's YAML reader, which keeps its limits (depth, aliases, duplicate keys) and the
// positions: the long form sits where the tagged node is. Any other local tag stays an error.
//
// Loaded only when such a file is parsed: it needs the yaml package's node classes.

import {Pair, Scalar, YAMLMap, type CollectionTag, type ScalarTag, type Tags} from 'yaml'

/** Every short form CloudFormation documents, and the key of its long form. */
export const SHORT_FORMS: ReadonlyMap<string, string> = new Map([
  ...['Ref', 'Condition'].map((name) => [name, name] as const),
  ...[
    'Sub',
    'GetAtt',
    'Join',
    'If',
    'Select',
    'Split',
    'FindInMap',
    'ImportValue',
    'Base64',
    'Cidr',
    'GetAZs',
    'Equals',
    'And',
    'Or',
    'Not',
    'Transform',
    'ToJsonString',
    'Length',
  ].map((name) => [name, `Fn::${name}`] as const),
])

/** The one-key map `{key: node}`, positioned where the tagged node is (the composer sets its range). */
function longForm(key: string, node: unknown): YAMLMap {
  const map = new YAMLMap()
  map.items.push(new Pair(new Scalar(key), node))
  return map
}

/** The tags for the YAML reader: each short form on a scalar, a sequence and a mapping. */
export const CLOUDFORMATION_TAGS: Tags = [...SHORT_FORMS].flatMap(([name, key]): Tags => {
  const tag = `!${name}`
  const scalar: ScalarTag = {tag, resolve: (value) => ({[key]: value})}
  const collection = (kind: 'seq' | 'map'): CollectionTag => ({
    tag,
    collection: kind,
    resolve: (node) => longForm(key, node),
  })
  return [scalar, collection('seq'), collection('map')]
})
