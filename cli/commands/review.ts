/**
 * `cloudlock-pulumi review`: its help, and turning `pulumi preview --json` into a Markdown review (exit 3 when
 * `pulumi up` will fail). The review itself is made in ../review/.
 */
import { EXIT_OK, EXIT_WILL_FAIL, parseCommandLine, UsageError } from "../../common/args";
import { checkOut, InputError, Io, readInput, write } from "../io";
import { HELP, type Parsed } from "../options";
import { ReviewInputError, parsePreview, renderReview, reviewPreview, willFail } from "../review";

const REVIEW_HELP = `Usage: cloudlock-pulumi review [FILE|-] [options]

Reads the output of "pulumi preview --json" from FILE (or stdin when FILE is
absent or -) and writes a Markdown review of the Cloudlock changes, for the
resources of this package's TypeScript SDK and of its plugin (YAML and other
languages) alike: counts per library, what needs a human, then the entries
added, adopted, renamed, changed (field: old → new), replaced (and the field
that forces it), removed and drifted, each row saying what "pulumi up" will do
to which entry (its id), with sets (TrustedIpSet, SuspiciousIpSet) shown entry
by entry. What needs a human: creates "pulumi up" will refuse, removals of
undeclared entries by authoritative sets, overlapping addresses, expiries that
have passed, policy violations and preview errors. A plan that changes nothing
gives one line, "No changes ...". Nothing is sent to Cloudlock.

Plain "pulumi preview --json" leaves policy violations out (a mandatory one
only fails the preview); the streamed form keeps them, and is read too:
PULUMI_ENABLE_STREAMING_JSON_PREVIEW=1 pulumi preview --json > preview.json

  pulumi preview --json > preview.json
  cloudlock-pulumi review preview.json > review.md

A create that "pulumi up" will refuse (an address another entry already holds,
a rename that would recreate its own entry) is listed first, under "Will fail
at \`up\`", and the command exits 3 after writing the review, so a pull
request's check goes red before anyone approves a plan that cannot apply.

"pulumi preview --refresh --json" is read as a drift report too: entries changed
or deleted in Cloudlock since the last "up", and what "up" will do about them.

Options:
  --out FILE           write to FILE instead of stdout
  -h, --help           show this help

Exit codes: 0 whether or not there are changes; 3 when "pulumi up" will fail
(the review is written); 1 when the input cannot be read or is not preview
JSON; 2 for a bad command line.
`;

/** Runs `review` with its options `argv` (after the command); resolves to the exit code. */
export async function runReview(argv: string[], io: Io, now = Date.now()): Promise<number> {
  const p: Parsed = parseCommandLine(argv, { out: { type: "string" }, ...HELP });
  if (p.values.help) {
    io.stdout(REVIEW_HELP);
    return EXIT_OK;
  }
  if (p.positionals.length > 1)
    throw new UsageError(`give one preview JSON file, got ${p.positionals.length}`);
  const file = p.positionals[0] ?? "-";
  checkOut(p);
  const text = await readInput(file, io, {
    tty: "no FILE given and stdin is a terminal: pipe `pulumi preview --json` in, or name a file",
    name: file,
  });
  const source = file === "-" ? "stdin" : file;
  let review;
  try {
    review = reviewPreview(parsePreview(text, source), now);
  } catch (e) {
    if (e instanceof ReviewInputError)
      throw new InputError(e.message.startsWith(source) ? e.message : `${source}: ${e.message}`);
    throw e;
  }
  write(p, io, renderReview(review));
  if (!willFail(review)) return EXIT_OK;
  const n = review.needsHuman.willFail.length;
  io.stderr(
    `cloudlock-pulumi: \`pulumi up\` will fail: ${n} ${n === 1 ? "create is" : "creates are"} refused (see "Will fail at \`up\`" in the review)\n`,
  );
  return EXIT_WILL_FAIL;
}
