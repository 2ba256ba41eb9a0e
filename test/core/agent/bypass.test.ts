import {describe, expect, it} from 'vitest'
import {ANY_REF, baselineRefs, findBypasses, writesBaseline} from '../../../src/core/agent/bypass.js'
import {SHELL_GUARDED} from '../../../src/core/agent/hook.js'

const guarded = {paths: SHELL_GUARDED}
/** The bypasses of `line` in a repository whose configured baseline is `baseline` (a revision). */
const foundWith = (line: string, baseline: string) =>
  findBypasses(line, guarded).filter(
    (b) => b.refs === undefined || writesBaseline(b.refs, baselineRefs(baseline)),
  )
const found = (line: string) => foundWith(line, 'main')

describe('findBypasses: the ways around the git hooks and a human decision', () => {
  it.each([
    // skipping the hooks
    'git commit --no-verify -m x',
    'git  commit   --no-verify',
    'git commit "--no-verify"',
    'git commit --no-verif -m x',
    'git commit -n -m x',
    'git commit -anm x',
    'git commit -m x -n',
    'git commit --amend --no-edit -n',
    'git merge --no-verify feature',
    'git -C . commit --no-verify',
    'git -c core.hooksPath=/dev/null commit -m x',
    'git -c core.hookspath= commit -m x',
    'git --config-env=core.hooksPath=X commit',
    'git config core.hooksPath /dev/null',
    'git config --unset core.hooksPath',
    'git config --global core.hooksPath /tmp',
    'git commit-tree HEAD^{tree} -p HEAD -m x',
    'git update-ref refs/heads/main abc123',
    'git update-index --assume-unchanged iam/policy.json',
    // a revision baseline moved or deleted
    'git tag -f v1',
    'git tag -f v1 HEAD',
    'git tag --force v1 main',
    'git tag --forc v1',
    'git tag -fa v1 -m x',
    'git tag -a -f -m "release" v1',
    'git tag -d v1',
    'git tag --delete v1',
    'git -C . tag -f v1',
    'git tag $FLAGS v1',
    'HUSKY=0 git commit -m x',
    'SKIP=acldrift git commit -m x',
    'LEFTHOOK=0 git commit -m x',
    'GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=core.hooksPath GIT_CONFIG_VALUE_0=/x git commit',
    'env HUSKY=0 git commit',
    'env -u X git commit --no-verify',
    'F=--no-verify; git commit $F',
    'git commit $FLAGS',
    '$GIT commit --no-verify',
    "sh -c 'git commit --no-verify'",
    'bash -lc "git commit -n -m x"',
    'bash -c "$SCRIPT"',
    "eval 'git commit --no-verify'",
    'nohup git commit --no-verify &',
    'timeout 10 git commit --no-verify',
    'sudo -u me git commit --no-verify',
    'echo x | xargs git commit --no-verify -m',
    'cd repo && git commit --no-verify',
    '(git commit --no-verify)',
    'true $(git commit --no-verify)',
    'echo "unterminated',
    // hooks and acldrift's files
    'rm -f .git/hooks/pre-commit',
    'rm -rf ./.git/hooks',
    'chmod -x .git/hooks/pre-commit',
    'cp /dev/null .git/hooks/commit-msg',
    'echo exit 0 > .git/hooks/pre-commit',
    'tee .git/hooks/pre-commit < /dev/null',
    'mv .acldrift/approvals.yaml /tmp',
    'cat > .acldrift/approvals.yaml <<EOF\nversion: 1\nEOF',
    'sed -i s/a/b/ .claude/settings.json',
    "printf '{}' > .claude/settings.local.json",
    'git checkout -- .acldrift/baseline.json',
    'rm .husky/pre-commit',
    // a person's decisions
    'acldrift approve 3f9c2ab41d0e7c55 --reason x --expires 2099-01-01',
    'npx acldrift approve 3f9c --reason x',
    'npx --yes acldrift@latest baseline update',
    'node node_modules/acldrift/bin/run.js approve 3f9c',
    'sh .acldrift/acldrift.sh approve 3f9c',
    'acldrift baseline update --out x.json',
  ])('blocks %j', (line) => {
    expect(found(line).length, JSON.stringify(found(line))).toBeGreaterThan(0)
  })

  it.each([
    'git commit -m "fix -n handling"',
    'git commit -m --no-verify',
    'git commit -F msg.txt',
    'git commit --verify -m x',
    'git status && git diff --cached',
    'git log -n 3',
    'git merge -n feature',
    'git push origin main',
    'git tag v2',
    'git tag -a v2 -m "fix -f and -d"',
    'git tag -m -f v2',
    'git tag -l',
    'git tag --list "v*"',
    'git tag -- -f',
    'echo --no-verify',
    'grep -r no-verify .',
    'cat .git/hooks/pre-commit',
    'ls -la .git/hooks .acldrift',
    'npm test',
    'acldrift check --staged',
    'acldrift explain 3f9c',
    'npx acldrift history iam/policy.json',
    'rm -rf dist/.git-cache',
    'cp a.txt b.txt',
    'echo hi > notes/acldrift.md',
  ])('lets %j run', (line) => {
    expect(found(line)).toEqual([])
  })

  it('says which bypasses only matter when the repository has git hooks', () => {
    expect(found('git commit --no-verify')[0]!.hookBypass).toBe(true)
    expect(found('git tag -f v1')[0]!.hookBypass).toBe(true)
    expect(found('acldrift approve 3f9c')[0]!.hookBypass).toBe(false)
    expect(found('rm .git/hooks/pre-commit')[0]!.hookBypass).toBe(false)
  })

  // The configured baseline `baseline: main`: a branch moved, created over it, deleted or
  // shadowed by a ref git reads first is the approved state changed without a person.
  it.each([
    'git branch -f main evil',
    'git branch --force main HEAD~3',
    'git branch -fD main',
    'git branch -D main',
    'git branch --delete --force main',
    'git branch -M evil main',
    'git branch -m main old-main',
    'git branch -C evil main',
    'git branch main evil',
    'git checkout -B main evil',
    'git checkout -Bmain evil',
    'git checkout -fB main',
    'git switch -C main evil',
    'git switch --force-create main evil',
    'git switch --force-c=main evil',
    'git worktree add -B main /tmp/w evil',
    'git push . evil:main',
    'git push . +evil:refs/heads/main',
    'git push --force . HEAD:main',
    'git push ./ :main',
    'git push --delete . main',
    'git fetch . evil:main',
    'git fetch -f . +refs/heads/evil:refs/heads/main',
    'git pull . evil:main',
    'git tag main evil',
    'git symbolic-ref refs/heads/main refs/heads/evil',
    'git -C . branch -f main evil',
    'sh -c "git branch -f main evil"',
    'B=main; git branch -f $B evil',
    'git branch -f "$(echo main)" evil',
    'git push . evil:$DST',
  ])('refuses %j when the baseline is main', (line) => {
    const bypasses = found(line)
    expect(bypasses.length, line).toBeGreaterThan(0)
    expect(bypasses.every((b) => b.hookBypass)).toBe(true)
  })

  it.each([
    'git branch feature',
    'git branch -f feature main',
    'git branch -d feature',
    'git branch -m feature feature-2',
    'git branch --list main',
    'git branch -a',
    'git branch --contains main',
    'git branch -u origin/main feature',
    'git branch --set-upstream-to=origin/main',
    'git checkout main',
    'git checkout -b feature main',
    'git checkout -- main',
    'git switch main',
    'git switch -c feature main',
    'git worktree add /tmp/w main',
    'git push origin main',
    'git push . main:feature',
    'git fetch origin',
    'git fetch origin main',
    'git pull origin main',
    'git tag v2 main',
    'git log main',
    'git reset --hard main',
    'git merge main',
  ])('lets %j run when the baseline is main', (line) => {
    expect(found(line)).toEqual([])
  })

  it('reads the baseline as git resolves its name, and moves of a remote-tracking baseline', () => {
    expect(baselineRefs('main~2')).toContain('refs/heads/main')
    expect(baselineRefs('refs/heads/main')).toEqual(['refs/heads/main'])
    expect(baselineRefs('origin/main')).toEqual(
      expect.arrayContaining(['refs/remotes/origin/main', 'refs/heads/origin/main']),
    )
    expect(baselineRefs('HEAD')).toEqual([])
    // `origin/main`: a push to origin's main moves it; so does a branch that shadows it.
    expect(foundWith('git push origin evil:main', 'origin/main')).toHaveLength(1)
    expect(foundWith('git push -f origin HEAD:refs/heads/main', 'origin/main')).toHaveLength(1)
    expect(foundWith('git branch origin/main evil', 'origin/main')).toHaveLength(1)
    expect(foundWith('git push origin feature', 'origin/main')).toEqual([])
    // a tag baseline: a branch of the same name is read after the tag (listed, refused to be safe)
    expect(foundWith('git branch -f v1 evil', 'v1')).toHaveLength(1)
    expect(foundWith('git branch -f main evil', 'v1')).toEqual([])
    // a baseline that is not known (a config that does not load): every ref write counts
    expect(writesBaseline(['refs/heads/feature'], [ANY_REF])).toBe(true)
    // no revision baseline (a snapshot file, or HEAD): none does
    expect(writesBaseline(['refs/heads/main'], [])).toBe(false)
  })
})
