/**
 * Reading `pulumi preview --json` (plain, or streamed one engine event per line) into the few things a review
 * needs: each step's operation, resource and states, and the diagnostics. Nothing here knows Cloudlock.
 *
 * The digest's shape (checked against the real CLI in test/engine/review*.test.ts): `steps[]` with `op`, `urn`,
 * `oldState` and `newState` (each with `urn`, `id`, `type`, `inputs`, `outputs`) and `replaceReasons`;
 * `diagnostics[]` with `message`, `severity` and `urn`; `changeSummary`. With `--refresh`, each resource has a
 * `refresh` step (its state as recorded) before its planned step (whose old state is what the refresh read).
 */

/** The input is not a preview digest. */
export class ReviewInputError extends Error {}

export type Json = Record<string, unknown>;
export const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** One step of the plan, normalised. */
export interface Step {
  op: string;
  urn: string;
  /** The resource's type token: the new state's, else the old one's. */
  type: string;
  /** The resource's name (the last part of its URN). */
  name: string;
  /** The URN the resource had in state, when an alias renamed it. */
  oldUrn?: string;
  /** The resource's id in state (an entry's pk, a set's id). */
  id?: string;
  /** Inputs and outputs as recorded (or, after a refresh, as read), and the inputs planned. */
  olds: Json;
  oldOutputs: Json;
  news: Json;
  hasOld: boolean;
  replaceReasons: string[];
  /** The URNs the resource depends on (`dependsOn`), as planned. */
  dependencies: string[];
}

export interface Diagnostic {
  severity: string;
  /** Without terminal colours or trailing space. */
  text: string;
  urn?: string;
}

export interface Digest {
  steps: Step[];
  diagnostics: Diagnostic[];
  /** Whether the digest had a steps list at all (a preview that failed before planning has none). */
  planned: boolean;
  changeSummary?: Json;
  /** Policy events, where the input carried them (the streamed form). */
  policy: Json[];
}

/**
 * Parse the text of `pulumi preview --json` (from a file or stdin); `source` names it in errors. The streamed
 * form (`PULUMI_ENABLE_STREAMING_JSON_PREVIEW=1`: one engine event per line) is read too, and is the only form
 * that carries policy violations.
 */
export function parsePreview(text: string, source: string): unknown {
  if (!text.trim())
    throw new ReviewInputError(
      `${source} is empty: did \`pulumi preview --json\` fail before writing anything?`,
    );
  try {
    return JSON.parse(text);
  } catch (e) {
    const events = eventLines(text);
    if (events) return digestOfEvents(events);
    throw new ReviewInputError(`${source} is not JSON: ${(e as Error).message}`);
  }
}

/** A parsed digest as steps and diagnostics; a value of another shape is refused, saying what is missing. */
export function readDigest(digest: unknown): Digest {
  if (!isObject(digest) || (digest.steps !== undefined && !Array.isArray(digest.steps)))
    throw new ReviewInputError("this is not the output of `pulumi preview --json` (no steps list)");
  if (digest.steps === undefined && digest.changeSummary === undefined && digest.diagnostics === undefined)
    throw new ReviewInputError(
      "this is not the output of `pulumi preview --json` (none of steps, changeSummary, diagnostics)",
    );
  const raw = (digest.steps ?? []) as unknown[];
  raw.forEach((step, i) => {
    if (!isObject(step) || typeof step.op !== "string")
      throw new ReviewInputError(
        `this is not the output of \`pulumi preview --json\` (steps[${i}] is not a step: ${JSON.stringify(step)?.slice(0, 40)})`,
      );
  });
  const diagnostics = (Array.isArray(digest.diagnostics) ? digest.diagnostics : [])
    .filter(isObject)
    .filter((d) => typeof d.message === "string")
    .map((d) => ({
      severity: String(d.severity ?? ""),
      text: plain(d.message as string),
      ...(typeof d.urn === "string" && d.urn && { urn: d.urn }),
    }));
  const policy: Json[] = [];
  // Not written by `pulumi preview --json` today (it drops policy events); read them if a later CLI adds them.
  for (const key of ["policyEvents", "policyViolations"]) {
    const list = digest[key];
    if (Array.isArray(list)) policy.push(...list.filter(isObject));
  }
  return {
    steps: (raw as Json[]).map(stepOf),
    diagnostics,
    planned: Array.isArray(digest.steps),
    ...(isObject(digest.changeSummary) && { changeSummary: digest.changeSummary }),
    policy,
  };
}

function stepOf(s: Json): Step {
  const urn = typeof s.urn === "string" ? s.urn : "";
  const old = isObject(s.oldState) ? s.oldState : undefined;
  const neu = isObject(s.newState) ? s.newState : undefined;
  const oldUrn = typeof old?.urn === "string" && old.urn !== urn ? old.urn : undefined;
  return {
    op: s.op as string,
    urn,
    type: String(neu?.type ?? old?.type ?? ""),
    name: nameOf(urn),
    ...(oldUrn && { oldUrn }),
    ...(typeof old?.id === "string" && old.id && { id: old.id }),
    olds: isObject(old?.inputs) ? old.inputs : {},
    oldOutputs: isObject(old?.outputs) ? old.outputs : {},
    news: isObject(neu?.inputs) ? neu.inputs : {},
    hasOld: old !== undefined,
    replaceReasons: Array.isArray(s.replaceReasons) ? s.replaceReasons.map(String) : [],
    dependencies: Array.isArray(neu?.dependencies) ? neu.dependencies.map(String) : [],
  };
}

/** A resource's name: the last `::` part of its URN. */
export function nameOf(urn: string): string {
  return urn.slice(urn.lastIndexOf("::") + 2) || "?";
}

/** Engine text without terminal colours and trailing space. */
export function plain(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;]*m/g, "").replace(/\s+$/, "");
}

/** One engine event per line (every line an object with a `sequence`), or undefined. */
function eventLines(text: string): Json[] | undefined {
  const out: Json[] = [];
  for (const line of text.split("\n")) {
    if (!line.trim()) continue;
    try {
      const ev: unknown = JSON.parse(line);
      if (!isObject(ev) || typeof ev.sequence !== "number") return undefined;
      out.push(ev);
    } catch {
      return undefined;
    }
  }
  return out.length ? out : undefined;
}

/** The streamed events as the digest plain `--json` writes, plus the policy events it leaves out. */
function digestOfEvents(events: Json[]): Json {
  const steps: Json[] = [];
  const diagnostics: Json[] = [];
  const policyEvents: Json[] = [];
  let changeSummary: unknown;
  for (const ev of events) {
    const pre = isObject(ev.resourcePreEvent) ? ev.resourcePreEvent.metadata : undefined;
    if (isObject(pre))
      steps.push({
        op: pre.op,
        urn: pre.urn,
        oldState: pre.old ?? undefined,
        newState: pre.new ?? undefined,
        // The streamed step names the keys forcing a replacement `keys`.
        replaceReasons: pre.keys,
      });
    const d = ev.diagnosticEvent;
    if (isObject(d) && d.severity !== "debug" && !d.ephemeral) diagnostics.push(d);
    if (isObject(ev.policyEvent)) policyEvents.push(ev.policyEvent);
    if (isObject(ev.summaryEvent)) changeSummary = ev.summaryEvent.resourceChanges;
  }
  return { steps, diagnostics, policyEvents, ...(changeSummary !== undefined && { changeSummary }) };
}
