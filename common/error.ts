/**
 * The root of every error this package throws on purpose, at the floor so that the shared formats (the CSV reader)
 * throw the same kind of error as the client and the providers. What the kinds mean, their messages and fixes,
 * live in the provider's table of expected errors (provider/problems.ts) and its subclasses (provider/client/errors.ts).
 */

/**
 * Set on every CloudlockError. A registered symbol, so it is the same in two copies of this module: dynamic
 * providers are serialised and reloaded, and `instanceof` then fails where a check of this mark does not.
 */
export const ERROR_MARK = Symbol.for("pulumi-cloudlock:error");

/** A message and what to do about it, as one text: the fix follows the message's full stop. */
export function joinFix(message: string, fix: string): string {
  if (!fix) return message;
  return `${/[.!?]$/.test(message) ? message : `${message}.`} ${fix}`;
}

export class CloudlockError extends Error {
  /** Which class this is; survives module duplication. */
  readonly kind: string = "CloudlockError";
  /** The kind of expected error (a key of the provider's PROBLEMS table); undefined for a guard against a bug. */
  readonly problem?: string;
  /** What happened, without what to do: a repeat of a per-run error says only this. */
  detail: string;
  /** What happened as first said, before any remark (how many attempts…): the same cause says the same. */
  readonly account: string;
  /** What to do ("" when `detail` says it). */
  readonly fix: string;

  /**
   * `message` is what happened; with `problem`, `fix` (what to do) follows it and the error has no stack
   * trace. Prefer the provider's `problem()` for expected errors: it takes both from the table.
   */
  constructor(message: string, problem?: string, fix = "") {
    super(joinFix(message, fix));
    Object.defineProperty(this, ERROR_MARK, { value: true });
    this.name = new.target.name;
    this.detail = message;
    this.account = message;
    this.fix = fix;
    if (problem) {
      this.problem = problem;
      // An expected error is its message: no frames (the message says where, in the user's terms).
      Object.defineProperty(this, "stack", {
        get: () => `${this.name}: ${this.message}`,
        set: () => undefined,
        configurable: true,
      });
    }
  }

  /** Add to what happened (e.g. how many attempts were made); the fix stays last. */
  note(remark: string): void {
    this.detail += remark;
    this.message = joinFix(this.detail, this.fix);
  }
}
