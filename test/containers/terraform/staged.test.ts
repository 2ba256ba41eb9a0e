// The pre-commit hook's read of a Terraform module (loadStagedChanges), in a real repository: a
// staged `.tf` file is read with its module's other files at HEAD and in the index. The two sides
// share every blob the commit leaves alone, and HEAD's listing is the index's with the commit's
// changes undone, so the module costs one cat-file beyond the commit's own reads; a file the
// commit deletes or adds is still where it belongs on each side.

import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {DEFAULT_CONFIG} from '../../../src/core/config.js'
import {loadStagedChanges, type LoadedSource} from '../../../src/core/source.js'
import {gitProcessCount} from '../../../src/git/index.js'
import {commitFiles} from '../../e2e/helpers.js'
import {createRepo, type TestRepo} from '../../helpers/repo.js'

const MAIN = `resource "aws_iam_role_policy" "app" {
  name   = "app"
  role   = "app"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = local.actions, Resource = "*" }]
  })
}
`
const locals = (actions: string) => `locals {\n  actions = ${actions}\n}\n`
const OTHERS = {
  'infra/app/variables.tf': 'variable "region" {\n  default = "eu-west-1"\n}\n',
  'infra/app/outputs.tf': 'output "region" {\n  value = var.region\n}\n',
  'infra/app/versions.tf': 'terraform {\n  required_version = ">= 1.5"\n}\n',
}

/** The actions of the app's policy on a side. */
function actions(source: LoadedSource): unknown {
  const document = [...source.documents].find(([key]) => key.startsWith('infra/app/main.tf#'))?.[1]
  return (document?.value as {Statement: Array<{Action: unknown}>} | undefined)?.Statement[0]!.Action
}

let repo: TestRepo
beforeAll(async () => {
  repo = await createRepo()
  await commitFiles(repo, {
    'infra/app/main.tf': MAIN,
    'infra/app/locals.tf': locals('["s3:GetObject"]'),
    ...OTHERS,
  })
})
afterAll(() => repo.cleanup())

describe('a staged .tf file is read with its module', () => {
  it('reads the module at HEAD and in the index with one cat-file beyond the commit', async () => {
    await repo.write('infra/app/locals.tf', locals('["s3:GetObject", "s3:DeleteObject"]'))
    await repo.stage('infra/app/locals.tf')
    const before = gitProcessCount()
    const {head, staged} = await loadStagedChanges(repo.dir, DEFAULT_CONFIG)
    // diff --cached, rev-parse HEAD, cat-file (the changed file), ls-files (the index), cat-file (the module)
    expect(gitProcessCount() - before).toBeLessThanOrEqual(5)
    expect(actions(head)).toEqual(['s3:GetObject'])
    expect(actions(staged)).toEqual(['s3:GetObject', 's3:DeleteObject'])
    await repo.git('reset', '--quiet', '--hard')
  })

  it("keeps HEAD's files at HEAD: a definition moved to a new file widens, and HEAD reads the old one", async () => {
    // The index deletes locals.tf and adds wide.tf: HEAD's module must read locals.tf (which the
    // index no longer lists) and not wide.tf (whose blob the index has), or HEAD would look as
    // wide as the commit and the widening would pass.
    await repo.remove('infra/app/locals.tf')
    await repo.write('infra/app/wide.tf', locals('["s3:*"]'))
    await repo.write('infra/app/main.tf', MAIN.replace('name   = "app"', 'name   = "app-v2"'))
    await repo.stage('infra/app/locals.tf', 'infra/app/wide.tf', 'infra/app/main.tf')
    const {head, staged} = await loadStagedChanges(repo.dir, DEFAULT_CONFIG)
    expect(actions(head)).toEqual(['s3:GetObject'])
    expect(actions(staged)).toEqual(['s3:*'])
    await repo.git('reset', '--quiet', '--hard')
  })
})
