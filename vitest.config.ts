import {availableParallelism} from 'node:os'
import {defineConfig} from 'vitest/config'

// Test files share their worker's modules (isolate: false): each file would otherwise import the
// sources, ajv and the schemas anew, about a second of CPU per file on the 2-core CI machine.
// Files that replace a module for themselves (vi.mock) need their own module graph: isolated.
const ISOLATED = ['test/reporters/index.test.ts']

// One worker per core. vitest's default is one fewer (a single worker on the 2-core CI machine, where
// the files then ran one after another and the second core idled), but a worker mostly waits: the
// e2e files spend their time in the CLI and git processes they start, which the cores run.
const WORKERS = availableParallelism()

export default defineConfig({
  test: {
    maxWorkers: WORKERS,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    disableConsoleIntercept: true,
    // Each file's own empty HOME for child processes (test/helpers/home.ts).
    setupFiles: ['test/helpers/setup.ts'],
    projects: [
      {
        extends: true,
        test: {name: 'shared', include: ['test/**/*.test.ts'], exclude: ISOLATED, isolate: false},
      },
      {extends: true, test: {name: 'isolated', include: ISOLATED}},
    ],
  },
})
