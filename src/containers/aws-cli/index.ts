// What the AWS CLI prints for one policy (or a whole account, account.ts), kept as a file (a cron job or a person ran it and
// committed the output): the policy document inside is the access, compared as `aws-iam`.
//
//   aws iam get-policy-version --policy-arn ARN --version-id v3
//       {"PolicyVersion": {"Document": {...}, "VersionId": "v3", "IsDefaultVersion": true, ...}}
//   aws iam get-role-policy --role-name R --policy-name P   (get-user-policy, get-group-policy alike)
//       {"RoleName": "R", "PolicyName": "P", "PolicyDocument": {...}}
//
// The CLI decodes the URL-encoded document of the API's response into JSON
// (https://docs.aws.amazon.com/cli/latest/reference/iam/get-policy-version.html, "Output"); a
// document still given as a string is decoded the same way.
//
//   aws organizations describe-policy --policy-id p-...   (a service or resource control policy)
//       {"Policy": {"PolicySummary": {"Name": "N", "Type": "SERVICE_CONTROL_POLICY", ...}, "Content": "{...}"}}
//
// Content is the policy as a JSON string, not decoded by the CLI
// (https://docs.aws.amazon.com/cli/latest/reference/organizations/describe-policy.html). It is
// compared as a guardrail (`{"Guardrail": TYPE, "Content": POLICY}`, see the aws-iam adapter's
// guardrailOf): it permits, it grants nothing. A string has no positions inside it, so every
// finding about it points at the Content line. Other Organizations policies (tag, backup, AI opt-out
// policies) are no access control: not this format.

import {type ContainerFormat, type EmbeddedDocument, type Extraction, mapInside} from '../container.js'
import type {ParsedFile} from '../../kernel/types.js'
import {extractAccount, isAccountExport} from './account.js'

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

/** The principal-name field of each `get-*-policy` output, and how a document is named after it. */
const INLINE_OWNERS = [
  ['RoleName', 'role'],
  ['UserName', 'user'],
  ['GroupName', 'group'],
] as const

/** The Organizations policy types that are guardrails, and the short name a document is named with. */
const GUARDRAILS: Record<string, string> = {SERVICE_CONTROL_POLICY: 'scp', RESOURCE_CONTROL_POLICY: 'rcp'}

interface Located {
  pointer: string
  name: string
  document: unknown
  /** an SCP or RCP: its type, and where its Content string is */
  guardrail?: {type: string; content: string}
}

/** Where the policy document is in one CLI output, and its stable name; undefined: not such an output. */
function locateDocument(value: unknown): Located | undefined {
  if (!isObject(value)) return undefined
  const policy = value.Policy
  if (isObject(policy) && isObject(policy.PolicySummary) && typeof policy.Content === 'string') {
    const {Type: type, Name: name, Id: id} = policy.PolicySummary
    const short = typeof type === 'string' ? GUARDRAILS[type] : undefined
    if (short !== undefined)
      return {
        pointer: '/Policy',
        name: `${short}/${typeof name === 'string' ? name : String(id)}`,
        document: policy.Content,
        guardrail: {type: type as string, content: '/Policy/Content'},
      }
  }
  if (isObject(value.PolicyVersion) && 'Document' in value.PolicyVersion)
    return {pointer: '/PolicyVersion/Document', name: 'PolicyVersion', document: value.PolicyVersion.Document}
  for (const [field, owner] of INLINE_OWNERS) {
    const principal = value[field]
    if (typeof principal === 'string' && typeof value.PolicyName === 'string' && 'PolicyDocument' in value)
      return {
        pointer: '/PolicyDocument',
        name: `${owner}/${principal}/${value.PolicyName}`,
        document: value.PolicyDocument,
      }
  }
  return undefined
}

export const awsCli: ContainerFormat = {
  format: 'aws-cli',
  scan: true,
  // What the CLI prints is JSON, often redirected to a file named without `.json` (`> account-export`,
  // `> policy.out`, `> role.txt`): such names are offered for their content alone.
  candidates: [
    {extensions: ['json'], ignoreCase: true},
    {extensions: ['out', 'txt', ''], ignoreCase: true, content: true},
  ],
  looksLike: (text) =>
    /"(PolicyVersion|PolicyDocument|UserDetailList|RoleDetailList)"\s*:|"(SERVICE|RESOURCE)_CONTROL_POLICY"/.test(
      text,
    ),
  detect: (parsed) => isAccountExport(parsed.value) || locateDocument(parsed.value) !== undefined,
  extract: async (parsed: ParsedFile): Promise<Extraction> => {
    if (isAccountExport(parsed.value)) return extractAccount(parsed)
    const found = locateDocument(parsed.value)!
    if (found.guardrail !== undefined) return guardrail(parsed, found, found.guardrail)
    let value = found.document
    if (typeof value === 'string') {
      try {
        value = JSON.parse(decodeURIComponent(value)) as unknown
      } catch {
        const at = parsed.sourceMap.locate(found.pointer)
        return {
          documents: [],
          notes: [],
          problems: [
            {
              file: parsed.path,
              ...at,
              pointer: found.pointer,
              message: 'the policy document is a string that is not URL-encoded JSON',
            },
          ],
        }
      }
      // A decoded string has no positions of its own: everything in it is at the string.
      const at = parsed.sourceMap.locate(found.pointer)
      const document: EmbeddedDocument = {
        kind: 'aws-iam',
        name: found.name,
        value,
        pointer: found.pointer,
        sourceMap: {locate: () => at},
      }
      return {documents: [document], notes: [], problems: []}
    }
    return {
      documents: [
        {
          kind: 'aws-iam',
          name: found.name,
          value,
          pointer: found.pointer,
          sourceMap: mapInside(parsed.sourceMap, found.pointer),
        },
      ],
      notes: [],
      problems: [],
    }
  },
}

/** An SCP or RCP: its Content string parsed, as a guardrail document every position of which is the Content line. */
function guardrail(
  parsed: ParsedFile,
  found: Located,
  {type, content}: {type: string; content: string},
): Extraction {
  const at = parsed.sourceMap.locate(content)
  let policy: unknown
  try {
    policy = JSON.parse(found.document as string) as unknown
  } catch (error) {
    const message = `the ${GUARDRAILS[type]!.toUpperCase()}'s Content is not a JSON policy (${(error as Error).message})`
    return {documents: [], notes: [], problems: [{file: parsed.path, ...at, pointer: content, message}]}
  }
  const document: EmbeddedDocument = {
    kind: 'aws-iam',
    name: found.name,
    value: {Guardrail: type, Content: policy},
    pointer: found.pointer,
    sourceMap: {locate: () => at},
  }
  return {documents: [document], notes: [], problems: []}
}
