import type {InputProblem} from './types.js'

/** Exit codes of the CLI contract (the README's "Exit codes"). */
export const EXIT = {ok: 0, widening: 1, usage: 2, invalidInput: 3, environment: 4} as const

/** Base class of the errors acldrift knows how to explain; anything else is a bug and is re-thrown. */
export class AcldriftError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message)
    this.name = new.target.name
  }
}

export class UsageError extends AcldriftError {
  constructor(message: string) {
    super(message, EXIT.usage)
  }
}

/** Input that cannot be parsed or validated: acldrift fails closed and names every problem. */
export class InvalidInputError extends AcldriftError {
  constructor(readonly problems: InputProblem[]) {
    super(problems.map(formatProblem).join('\n'), EXIT.invalidInput)
  }
}

/** git missing, not a repository, unknown revision … */
export class EnvironmentError extends AcldriftError {
  constructor(message: string) {
    super(message, EXIT.environment)
  }
}

/** `file:line:col pointer message`, the one format every problem is printed in. */
export function formatProblem(problem: InputProblem): string {
  const where = [problem.file, problem.line ?? 1, problem.column ?? 1].join(':')
  return problem.pointer !== undefined && problem.pointer !== ''
    ? `${where} ${problem.pointer} ${problem.message}`
    : `${where} ${problem.message}`
}
