/** Bearer tokens: which the emulator accepts, what each may do, and Cloudlock's token rotation. */
import { HttpError } from "./reply";

export interface TokenSpec {
  token: string;
  /** Writes with this token get 403. */
  readOnly?: boolean;
}

/** The accepted tokens. Starts with (and a restore returns to) the tokens it was given. */
export class Tokens {
  private readonly byToken = new Map<string, TokenSpec>();

  constructor(private readonly initial: readonly (string | TokenSpec)[]) {
    this.restore();
  }

  /** The tokens it started with (undoes rotations). */
  restore(): void {
    this.byToken.clear();
    for (const t of this.initial) {
      const spec = typeof t === "string" ? { token: t } : t;
      this.byToken.set(spec.token, spec);
    }
  }

  /** The token an Authorization header carries. Throws a 401 HttpError saying what is wrong with it. */
  authenticate(header: string | undefined): TokenSpec {
    if (!header)
      throw new HttpError(401, "the Authorization header is missing; send Authorization: Bearer <token>");
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!m) throw new HttpError(401, "the Authorization header must be: Bearer <token>");
    const spec = this.byToken.get(m[1]);
    if (!spec) throw new HttpError(401, "the access token is invalid");
    return spec;
  }

  /**
   * Regenerate a token, as Cloudlock's UI does: `to` takes `from`'s rights and `from` stops working at once.
   * Throws when `from` is not a token here, `to` already is one, or `to` could not be sent as a bearer token.
   */
  rotate(from: string, to: string): void {
    const spec = this.byToken.get(from);
    if (!spec) throw new Error(`no token ${JSON.stringify(from)} to rotate`);
    if (this.byToken.has(to)) throw new Error(`token ${JSON.stringify(to)} is already in use`);
    if (!/^\S+$/.test(to)) throw new Error("a token cannot be empty or contain white space");
    this.byToken.delete(from);
    this.byToken.set(to, { ...spec, token: to });
  }
}
