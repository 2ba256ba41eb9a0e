import {describe, expect, it} from 'vitest'
import {findBypasses} from '../../../src/core/agent/bypass.js'
import {SHELL_GUARDED} from '../../../src/core/agent/hook.js'

const guarded = {paths: SHELL_GUARDED}
const found = (line: string) => findBypasses(line, guarded)

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
})
