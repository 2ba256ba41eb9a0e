// How large a file acldrift reads may be: the parser's limits (parse.ts), which reading a file
// without parsing it (files.ts: the agent hook's fast path) applies too.

/** Files larger than this many bytes are rejected unparsed; pass `maxFileBytes` to parseFile to change it. */
export const MAX_FILE_BYTES = 10 * 1024 * 1024
/**
 * The limit for acldrift's own files (the baseline snapshot, the approvals file). They grow with
 * the repository: a snapshot of 20,000 policies is over MAX_FILE_BYTES, and refusing it would
 * block every commit. Bounded still, well below the longest string V8 can hold (2^29 characters).
 */
export const MAX_OWN_FILE_BYTES = 256 * 1024 * 1024

/** What a file over the size limit is told, whether it was read or only measured. */
export const tooLarge = (bytes: number, limit = MAX_FILE_BYTES) =>
  `file too large: ${bytes} bytes, the limit is ${limit} bytes`
