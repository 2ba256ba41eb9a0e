// `npm run demo`: replays fixtures/demo/ as a short git history in a temporary repository
// (a human adds policies, an AI agent opens a bucket to the world, a human narrows a role),
// then runs acldrift against the first commit as the approved baseline.
import {execFileSync, spawnSync} from 'node:child_process'
import {cpSync, mkdtempSync, readdirSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

const project = fileURLToPath(new URL('..', import.meta.url))
const demo = join(project, 'fixtures', 'demo')
const repo = mkdtempSync(join(tmpdir(), 'acldrift-demo-'))
const env = {...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1'}
const git = (args, extra = {}) =>
  execFileSync('git', args, {
    cwd: repo,
    env: {...env, ...extra},
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  }).trim()

try {
  git(['init', '-q', '-b', 'main'])
  const shas = []
  for (const step of readdirSync(demo, {withFileTypes: true})
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort()) {
    const dir = join(demo, step)
    const {author, message} = JSON.parse(readFileSync(join(dir, 'commit.json'), 'utf8'))
    cpSync(dir, repo, {recursive: true, filter: (src) => !src.endsWith('commit.json')})
    git(['add', '-A'])
    const who = {
      GIT_AUTHOR_NAME: author.name,
      GIT_AUTHOR_EMAIL: author.email,
      GIT_COMMITTER_NAME: author.name,
      GIT_COMMITTER_EMAIL: author.email,
    }
    git(['-c', 'commit.gpgsign=false', 'commit', '-q', '-m', message], who)
    shas.push(git(['rev-parse', '--short', 'HEAD']))
  }
  // The first commit is the state the team approved.
  git(['tag', 'approved', shas[0]])
  process.stdout.write(`Demo history (a temporary repository, removed afterwards):\n`)
  const log = git(['log', '--format=%h %an: %s']).split('\n')
  process.stdout.write(log.map((line) => `  ${line}\n`).join('') + '\n')
  const args = ['check', '--baseline', 'approved', '--ref', 'HEAD', ...process.argv.slice(2)]
  process.stdout.write(`$ acldrift ${args.join(' ')}\n\n`)
  const run = spawnSync(process.execPath, [join(project, 'bin', 'run.js'), ...args], {
    cwd: repo,
    stdio: 'inherit',
    env,
  })
  process.stdout.write(
    run.status === 1
      ? '\nacldrift exited 1: this history widens access, so a CI gate or pre-commit hook would have stopped it.\n'
      : `\nacldrift exited ${run.status}.\n`,
  )
  process.exitCode = run.status === 0 || run.status === 1 ? 0 : (run.status ?? 1)
} finally {
  rmSync(repo, {recursive: true, force: true})
}
