/**
 * Thrown where the engine cannot decide a question exactly. It never means "unchanged":
 * callers turn it into a `possible-widening` finding that carries the reason.
 */
export class Undecidable extends Error {
  constructor(readonly reason: string) {
    super(reason)
    this.name = 'Undecidable'
  }
}
