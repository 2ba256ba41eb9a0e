// The files of a source given as a record of path to text, for the container formats' unit tests.

import type {SourceFiles} from '../../src/containers/index.js'

export const memorySource = (files: Record<string, string>): SourceFiles => ({
  paths: async () => Object.keys(files),
  read: async (paths) =>
    new Map(paths.filter((p) => p in files).map((p) => [p, Buffer.from(files[p]!)] as const)),
})
