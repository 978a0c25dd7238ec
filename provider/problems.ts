/**
 * Every kind of expected error, written once: what happened (a message builder), what to do (a fix), and for
 * the troubleshooting page a title, when it happens and an example. The code raises expected errors through this
 * table (`problem()` and `makeApiError()` in client/errors.ts); `npm run gen-docs` writes docs/troubleshooting.md
 * from it. An expected error is one line of text with no stack trace; a stack trace is for a bug only.
 *
 * Pure data and functions: no imports from the rest of the provider but the field model (model.ts, which imports
 * nothing), so every layer can use it.
 */
import { ADDRESS, NAME, fieldsOf } from "./model";
import { joinFix } from "../common/error";

/** One kind of expected error. `P` are the facts its message is built from. */
export interface ProblemSpec<P> {
  /** Short heading: the troubleshooting page's section, and the one line the dynamic provider host prints. */
  readonly title: string;
  /** When users meet it (the troubleshooting page). */
  readonly when: string;
  /** What happened, with the facts at hand. One line. */
  readonly message: (p: P) => string;
  /** What to do; "" when the message already says it. One line. */
  readonly fix: (p: P) => string;
  /** What to do, for the troubleshooting page, where `fix` is empty (the message says it). */
  readonly advice?: string;
  /**
   * The cause is the same for every call of a run (one token, one URL, one configuration): the fix is given once
   * per provider process, and later errors of this kind are short (see `repeatOf`).
   */
  readonly perRun?: boolean;
  /** The commands' exit code for it: 2 for usage and configuration, 1 for everything else. */
  readonly exit: 1 | 2;
  /** Facts for the page's example message. */
  readonly example: P;
}

const spec = <P>(s: ProblemSpec<P>): ProblemSpec<P> => s;

/** How the user declared a resource (the dynamic SDK in code, a data file, the plugin): a fix names what they write. */
export type Route = "sdk" | "data-file" | "plugin";

/**
 * How to manage the existing entry `pk` instead of creating one, in the terms of the user's route. `importType` is
 * the plugin's type token of the resource, for `pulumi import`.
 */
export function adoptFix(route: Route, pk: string, importType: string): string {
  switch (route) {
    case "data-file":
      return `To manage that entry, add adoptId: ${pk} to this record in the data file.`;
    case "plugin":
      return (
        `To manage that entry, set adoptId: ${pk} on this resource, or import it: ` +
        `\`pulumi import ${importType} <name> ${pk}\`.`
      );
    default:
      return `To manage that entry, set adoptId: "${pk}" on this resource.`;
  }
}

/** How to rename a resource so that it keeps its entry, in the terms of the user's route. */
export function renameFix(route: Route): string {
  switch (route) {
    case "data-file":
      return (
        "If this record was renamed (its resource name comes from its name), add renamedFrom: <its old resource " +
        "name> to it instead, and the entry stays as it is."
      );
    case "plugin":
      return (
        "If this resource was renamed, give it the aliases resource option with its old name instead, and the " +
        "entry stays as it is."
      );
    default:
      return (
        'If this resource was renamed, give it aliases: [{ name: "<its old name>" }] instead, and the entry ' +
        "stays as it is."
      );
  }
}

/** Which route a create was declared by, and the plugin's type for `pulumi import`: the facts a route's fix needs. */
interface RouteFacts {
  route: Route;
  importType: string;
  /** The check of this resource already forecast the refusal, with the fix, on the resource (a warning). */
  said?: boolean;
}

/** Where the fix is when the check already said it. */
const SAID = 'What to do is in the warning on this resource ("will fail at `pulumi up`").';

/** An HTTP answer that is an error: what the API error kinds are built from. */
export interface ApiFacts {
  status: number;
  /** The status's reason phrase, e.g. "Unauthorized" ("" when unknown). */
  statusText: string;
  method: string;
  /** Path and query relative to the API URL. */
  path: string;
  /** The server's own message, if its body had one. */
  serverMessage?: string;
  /** The API URL the request went to (the connection's, never anything secret). */
  apiUrl?: string;
  /** Where the token came from, e.g. `stack config "cloudlock:apiToken"`. */
  tokenFrom?: string;
  /** How to set the token there, e.g. `pulumi config set --secret cloudlock:apiToken <token>`. */
  tokenHow?: string;
  /** Why the request was not sent (an earlier answer settles it), if it was not. */
  notSent?: string;
  /**
   * The call was a read or a delete, which a refresh or destroy may make without running the program, with
   * the settings recorded at the stack's last `pulumi up` (the provider cannot tell whether the program ran).
   */
  recordedSettings?: boolean;
}

/** `Cloudlock API GET /ip/trusted returned 401 Unauthorized: <server's message>`. */
export function apiLine(p: ApiFacts): string {
  const head = `Cloudlock API ${p.method} ${p.path}`;
  if (p.notSent) return `${head} was not sent: ${p.notSent}`;
  return (
    `${head} returned ${p.status} ${p.statusText}`.trimEnd() + (p.serverMessage ? `: ${p.serverMessage}` : "")
  );
}

const apiExample: ApiFacts = {
  status: 500,
  statusText: "Internal Server Error",
  method: "GET",
  path: "/ip/trusted?offset=0&limit=100",
};

/** The connection a message names: `https://tenant.example/api/v2`. */
const EXAMPLE_URL = "https://tenant.example/api/v2";

export const PROBLEMS = {
  validation: spec<{ field: string; reason: string }>({
    title: "A declared value is refused",
    when:
      "Preview checks every field of every declaration (TrustedIp, SuspiciousIp, each entry of a set, a lookup's " +
      "arguments) before any request. Each bad field is named with what it must be.",
    message: (p) => `${p.field} ${p.reason}`,
    // Pulumi frames a check failure ("property … has a problem: …"); the reason says what the value must be.
    fix: () => "",
    advice: "Correct the value the message names: nothing was sent to Cloudlock.",
    exit: 1,
    example: {
      field: ADDRESS,
      reason: 'range "10.0.0.9-10.0.0.1" is reversed; the start must not be greater than the end',
    },
  }),
  configuration: spec<{ problem: string; fix?: string; from?: string; how?: string }>({
    title: "A setting is missing or cannot be used",
    when:
      "The API URL or token is not set, a setting does not parse (`cloudlock:timeoutSeconds: 0`), or the URL is " +
      "not one the token may be sent to (plain http to another machine, a query, credentials in it).",
    message: (p) => p.problem,
    // `from`: where the value was read (stack config "cloudlock:apiUrl", a provider's property, a variable).
    fix: (p) =>
      p.fix ??
      `Correct ${p.from ?? "the setting the message names"}${p.how ? ` (${p.how})` : ""}: no request was sent to ` +
        "Cloudlock.",
    perRun: true,
    exit: 2,
    example: {
      problem: 'cloudlock:timeoutSeconds must be a positive number, got "0"',
      from: 'stack config "cloudlock:timeoutSeconds"',
      how: "pulumi config set cloudlock:timeoutSeconds <value>",
    },
  }),
  authentication: spec<ApiFacts>({
    title: "Cloudlock refused the API token (401)",
    when:
      "The token is wrong, was regenerated in Cloudlock, or belongs to another tenant than the API URL. Or a new " +
      "token was set after the stack's last `pulumi up`, and a command that does not run the program " +
      "(`pulumi refresh`, `preview --refresh`, `up --refresh`, `destroy`, `pulumi import`) still sent the one " +
      "recorded then: run it with `--run-program` (in CI, PULUMI_RUN_PROGRAM=true; `pulumi import` has no such " +
      "flag: run `pulumi up` first). After the first 401 no further request of the " +
      "run is sent with that token.",
    message: (p) =>
      `${apiLine(p)}. ${p.apiUrl ?? "Cloudlock"} did not accept the API token` +
      (p.tokenFrom ? ` from ${p.tokenFrom}` : ""),
    // The provider cannot tell whether the program ran: the recorded token is a possibility, said as one.
    fix: (p) =>
      (p.recordedSettings
        ? "If you set a new token after the stack's last `pulumi up`, a command that does not run the program " +
          "(`pulumi refresh`, `preview --refresh`, `up --refresh`, `destroy`, `pulumi import`) still sends the one " +
          "recorded then: run it again with `--run-program` (in CI, PULUMI_RUN_PROGRAM=true; before a " +
          "`pulumi import`, run `pulumi up`). Otherwise create a token"
        : "Create a token") +
      " in Cloudlock (Settings > Authentication & API > Generate) for the tenant of that URL, and " +
      `set it${p.tokenHow ? `: ${p.tokenHow}` : ""}.`,
    perRun: true,
    exit: 1,
    example: {
      status: 401,
      statusText: "Unauthorized",
      method: "GET",
      path: "/ip/trusted?offset=0&limit=100",
      serverMessage: "the access token is invalid",
      apiUrl: EXAMPLE_URL,
      tokenFrom: 'stack config "cloudlock:apiToken"',
      tokenHow: "pulumi config set --secret cloudlock:apiToken <token>",
    },
  }),
  permission: spec<ApiFacts & { label?: string; library?: string; verb?: string; earlier?: string }>({
    title: "The token may not do this (403)",
    when:
      "A read-only token meets a create, update or delete, or the tenant's license does not include the API. The " +
      "first write to a library goes alone, so a read-only token stops there and no other write is sent.",
    message: (p) =>
      p.library && p.verb
        ? `${p.label ? `${p.label}: ` : ""}Cloudlock refused to ${p.verb} an entry in the ${p.library} IP library (403 Forbidden on ${p.method} ` +
          `${p.path}${p.serverMessage ? `: ${p.serverMessage}` : ""}${p.earlier ? `, ${p.earlier}` : ""})`
        : apiLine(p),
    fix: (p) =>
      p.library && p.verb
        ? "The API token lacks write permission for IP libraries: use a token of a user allowed to edit them " +
          "(Settings > Authentication & API). No further writes to this library were attempted."
        : "The token's user lacks permission for this operation (e.g. a read-only token used for a write), or " +
          "the license does not include the API: use a token of a user allowed to do it.",
    perRun: true,
    exit: 1,
    example: {
      status: 403,
      statusText: "Forbidden",
      method: "POST",
      path: "/ip/trusted",
      label: "TrustedIp",
      library: "trusted",
      verb: "create",
    },
  }),
  "address-taken": spec<
    {
      label: string;
      library: string;
      address: string;
      pk: string;
      name: string;
      held: string;
    } & RouteFacts
  >({
    title: "The address already exists in the library",
    when:
      "A new TrustedIp or SuspiciousIp declares an address another entry of that library holds. Pulumi never " +
      "makes a duplicate, and never takes an entry over without being told to.",
    message: (p) =>
      `${p.label} ${ADDRESS} "${p.address}" already exists in the ${p.library} library as entry ${p.pk} ` +
      `("${p.name}", ${p.held}).`,
    fix: (p) => (p.said ? SAID : `${adoptFix(p.route, p.pk, p.importType)} ${renameFix(p.route)}`),
    exit: 1,
    example: {
      label: "TrustedIp",
      library: "trusted",
      address: "192.0.2.50",
      pk: "7nLzJYxR5Z",
      name: "VPN",
      held: "192.0.2.50",
      route: "sdk",
      importType: "cloudlock:index:TrustedIp",
    },
  }),
  "identical-entry": spec<
    {
      label: string;
      library: string;
      name: string;
      address: string;
      pk: string;
      created: string;
    } & RouteFacts
  >({
    title: "An identical entry already exists",
    when:
      "The library holds an entry exactly like a new declaration: another stack may manage it, or a run of this " +
      "stack was interrupted after Cloudlock made it.",
    message: (p) =>
      `${p.label} "${p.name}" (${p.address}): an entry identical to this declaration already exists in the ` +
      `${p.library} library (entry ${p.pk}, created ${p.created}). Pulumi does not take it over silently: ` +
      `another stack may manage it.`,
    fix: (p) =>
      p.said
        ? SAID
        : `If a run of this stack was interrupted after Cloudlock made it (a crash or a cancelled \`pulumi up\`), ` +
          `run \`CLOUDLOCK_ADOPT_IDENTICAL=1 pulumi up\` once to adopt it. ${adoptFix(p.route, p.pk, p.importType)} ` +
          renameFix(p.route),
    exit: 1,
    example: {
      label: "TrustedIp",
      library: "trusted",
      name: "Shared office",
      address: "192.0.2.140",
      pk: "6yj3gQxaqo",
      created: "2026-03-01T09:30:00Z",
      route: "sdk",
      importType: "cloudlock:index:TrustedIp",
    },
  }),
  "address-race": spec<{ what: string; fix: string }>({
    title: "Another writer made the same address at the same time",
    when:
      "On a server that accepts duplicates, someone else created or moved an entry to the address this run " +
      "created or moved an entry to. The run fails rather than leave two entries at one address.",
    message: (p) => p.what,
    fix: (p) => p.fix,
    exit: 1,
    example: {
      what:
        'TrustedIp "HQ" (198.51.100.7): another writer created entry 4NrBZV2AlF ("HQ", 198.51.100.7) at the same ' +
        "address while this run created entry B5GKwJKBlL (Cloudlock accepted both).",
      fix:
        "Entry B5GKwJKBlL, the one this run made, was deleted again so the library holds no duplicate. Set " +
        'adoptId: "4NrBZV2AlF" to manage the other writer\'s entry, or stop the other writer and run `pulumi up` again.',
    },
  }),
  "adopt-missing": spec<{ label: string; library: string; pk: string }>({
    title: "adoptId names no entry",
    when: "A resource's adoptId is not the id (pk) of an entry of its library.",
    message: (p) => `${p.label} adoptId "${p.pk}": no ${p.library} entry with that id exists in Cloudlock.`,
    fix: () => "Check the id (cloudlock-pulumi import lists them), or remove adoptId to create a new entry.",
    exit: 1,
    example: { label: "TrustedIp", library: "trusted", pk: "7nLzJYxR5Z" },
  }),
  "adopt-replace": spec<{
    label: string;
    library: string;
    pk: string;
    field: string;
    held: string;
    declared: string;
  }>({
    title: "Adopting would replace the entry",
    when:
      "adoptId names an entry whose value of a field Cloudlock cannot change in place (a suspicious entry's " +
      "name) differs from the declaration.",
    message: (p) =>
      `${p.label} adoptId "${p.pk}": the existing entry has ${p.field} ${p.held} but the declaration says ` +
      `${p.declared}. Cloudlock cannot change a ${p.library} entry's ${p.field} in place, so adopting would ` +
      `replace the entry.`,
    fix: (p) =>
      `Declare ${p.field}: ${p.held} to adopt it as it is (you can rename it later by replacement), or remove ` +
      `adoptId and delete the existing entry to create a new one.`,
    exit: 1,
    example: {
      label: "SuspiciousIp",
      library: "suspicious",
      pk: "3m15oGGRea",
      field: NAME,
      held: '"TOR exit"',
      declared: '"Tor exit node"',
    },
  }),
  "entry-gone": spec<{ label: string; pk: string }>({
    title: "The entry no longer exists",
    when: "An update meets an entry deleted by hand in Cloudlock (or expired) since the last refresh.",
    message: (p) => `${p.label} ${p.pk} no longer exists in Cloudlock (deleted by hand, or expired).`,
    fix: () => "Run `pulumi refresh` to drop it from the stack, then `pulumi up` to create it again.",
    exit: 1,
    example: { label: "TrustedIp", pk: "lqiG1RhZ6D" },
  }),
  "tenant-changed": spec<{ label: string; id: string; recorded: string; current: string }>({
    title: "The stack now points at another tenant",
    when:
      "The API URL changed (on the dynamic SDK: stack config or the environment; on the plugin: the environment) " +
      "for resources " +
      "whose entries were made in another tenant. The provider acts on none of them there: a refresh would take " +
      "them for deleted and `up` would make them again, leaving the first tenant's entries behind.",
    message: (p) =>
      `${p.label} ${p.id} was made in the tenant at ${p.recorded}, and the provider now points at ${p.current}`,
    fix: (p) =>
      `To keep managing it, set the API URL back to ${p.recorded}. To move the stack to ${p.current}, run ` +
      "`pulumi destroy` with the old URL first (or `pulumi state delete` its resources to leave the entries " +
      "where they are), then `pulumi up` with the new one. With the plugin, a provider of the program's own whose " +
      "`apiUrl` names the tenant moves them: Pulumi makes them in the new tenant and deletes them from the old.",
    perRun: true,
    exit: 1,
    example: {
      label: "TrustedIp",
      id: "lqiG1RhZ6D",
      recorded: "https://tenant-a.example.com/api/v2",
      current: "https://tenant-b.example.com/api/v2",
    },
  }),
  "data-file": spec<{ where: string; problems: string[] }>({
    title: "A library data file is not what declareLibrary reads",
    when:
      "`readLibraryFile` or `checkLibraryData` meets a file that is not valid YAML or JSON, an unknown key, a " +
      "field an entry of that library does not have, a missing required field, or two records that would be one " +
      "resource. Every problem of the file is named, with its place.",
    message: (p) => `${p.where}: ${p.problems.join("; ")}`,
    fix: () => "Correct the file: nothing was declared from it.",
    exit: 1,
    example: {
      where: "offices.yaml",
      problems: [
        `trusted[2].ipAdress is not an entry field (expected ${["resource", ...fieldsOf("trusted"), "adoptId"].join(", ")})`,
        `trusted[2].${ADDRESS} is required`,
      ],
    },
  }),
  "csv-file": spec<{ where: string; problem: string }>({
    title: "A CSV file cannot be read",
    when:
      "`cloudlock-pulumi csv-to-code`, `parseCsv` or the emulator's CSV import meets a malformed file, a row of " +
      "another width than the header, or a header that is not Cloudlock's layout.",
    message: (p) => `${p.where}: ${p.problem}`,
    fix: () => "",
    advice: "Correct the file at the line (and column) the message names.",
    exit: 1,
    example: {
      where: "feed.csv",
      problem:
        'CSV line 3, column 5: malformed CSV: unexpected "x" after the closing quote of a quoted field',
    },
  }),
  "library-owned": spec<{ owner: string; library: string; other: string; label: string }>({
    title: "An authoritative set owns the library",
    when:
      'A program declares a set with mode: "authoritative" and also another resource of the same library. ' +
      "Refused while the program runs, before any request.",
    message: (p) =>
      `${p.owner} is authoritative: it owns the whole ${p.library} IP library, so this program cannot also ` +
      `declare ${p.other} for that library.`,
    fix: (p) =>
      `Move those entries into the set's entries, or declare the set with mode: "additive" (additive sets and ` +
      `${p.label} resources can be used together).`,
    exit: 1,
    example: { owner: 'TrustedIpSet "all"', library: "trusted", other: 'TrustedIp "hq"', label: "TrustedIp" },
  }),
  "rate-limit": spec<ApiFacts>({
    title: "Cloudlock kept answering 429 Too Many Requests",
    when:
      "The tenant's rate limit is shared with other clients and the server kept refusing for longer than the time " +
      "bound of one call. Requests are paced and a 429 halves the pace, so this means the limit is mostly used " +
      "by someone else, or the server asks for a pause longer than a minute.",
    message: apiLine,
    fix: () =>
      "Run again later, or lower cloudlock:maxRequestsPerSecond (or raise cloudlock:timeoutSeconds) so the run " +
      "shares the limit with the other clients.",
    perRun: true,
    exit: 1,
    example: { ...apiExample, status: 429, statusText: "Too Many Requests" },
  }),
  unreachable: spec<{ method: string; path: string; cause: string; apiUrl?: string }>({
    title: "Cloudlock could not be reached",
    when: "The connection was refused or reset, or the host name does not resolve.",
    message: (p) => `Cloudlock API ${p.method} ${p.path} failed: ${p.cause}`,
    fix: (p) =>
      `Check the API URL${p.apiUrl ? ` (${p.apiUrl})` : ""} and that this machine can reach it (network, proxy, ` +
      "firewall); a rerun is safe.",
    perRun: true,
    exit: 1,
    example: {
      method: "GET",
      path: "/ip/trusted?offset=0&limit=100",
      cause: "network error ECONNREFUSED",
      apiUrl: EXAMPLE_URL,
    },
  }),
  timeout: spec<{ method: string; path: string; cause: string; apiUrl?: string }>({
    title: "Cloudlock did not answer in time",
    when: "No answer came within the time bound of one call (cloudlock:timeoutSeconds, default 120), retries included.",
    message: (p) => `Cloudlock API ${p.method} ${p.path} failed: ${p.cause}`,
    fix: () =>
      "Check that the server answers (a create whose answer was lost is looked for before it is sent again, so a " +
      "rerun is safe), or raise cloudlock:timeoutSeconds.",
    perRun: true,
    exit: 1,
    example: { method: "GET", path: "/ip/trusted?offset=0&limit=100", cause: "no response within 30000 ms" },
  }),
  "malformed-answer": spec<{ status: number; method: string; path: string; problem: string }>({
    title: "Cloudlock answered something that is not the API's answer",
    when:
      "A 2xx answer is not the documented shape: an HTML page from a proxy or a login page, `{}`, JSON cut off, " +
      "a listing without a numeric total. It is never read as data.",
    message: (p) =>
      `Cloudlock API ${p.method} ${p.path} answered ${p.status} with ${p.problem}, which is not the documented shape`,
    fix: () =>
      "Check that the API URL ends in /api/v2 and that no proxy answers in the API's place; a rerun is safe.",
    exit: 1,
    example: { status: 200, method: "GET", path: "/ip/trusted?offset=0&limit=100", problem: "an HTML page" },
  }),
  "server-error": spec<ApiFacts>({
    title: "Cloudlock failed (5xx)",
    when: "The server kept answering 500, 502, 503 or 504 after the retries that fit the time bound.",
    message: apiLine,
    fix: () => "Run again later: creates whose answer was lost are looked for before they are sent again.",
    exit: 1,
    example: { ...apiExample, status: 503, statusText: "Service Unavailable" },
  }),
  "refused-request": spec<ApiFacts>({
    title: "Cloudlock refused a request (400)",
    when:
      "The server refused a value that passed the provider's own checks (its limits or rules differ from the " +
      "documented ones). The server's message says which field.",
    message: apiLine,
    fix: () => "Change the value the server's message names.",
    exit: 1,
    example: {
      ...apiExample,
      status: 400,
      statusText: "Bad Request",
      method: "POST",
      path: "/ip/trusted",
      serverMessage: 'field "name" is longer than 255 characters',
    },
  }),
  "wrong-url": spec<ApiFacts>({
    title: "The API URL answers 404",
    when: "The library itself answers 404 Not Found: the API URL does not point at the API.",
    message: (p) =>
      `${apiLine(p)}; and a listing of ${p.path.split("?")[0]} is answered 404 too, so the API URL is wrong, not ` +
      "the ids: nothing was deleted.",
    fix: () => "Check cloudlock:apiUrl (it should end in /api/v2).",
    perRun: true,
    exit: 1,
    example: {
      ...apiExample,
      status: 404,
      statusText: "Not Found",
      method: "DELETE",
      path: "/ip/trusted?ids=x",
    },
  }),
  "not-found": spec<ApiFacts>({
    title: "Cloudlock answered 404 Not Found",
    when:
      "A request named an entry the library does not hold, or the API has no such endpoint (the API URL does " +
      "not point at it, e.g. it does not end in /api/v2).",
    message: apiLine,
    // Only a path naming an entry (`/ip/trusted/<pk>`) can be a missing entry; any other 404 is the URL's.
    fix: (p) => {
      const url =
        p.apiUrl && !/\/api\/v2$/.test(p.apiUrl) ? `${p.apiUrl}, which does not end in /api/v2` : "";
      if (!/^\/ip\/[^/?]+\/[^/?]+/.test(p.path))
        return `The API has no such endpoint: correct the API URL${url ? ` (${url})` : ""}; it should be https://<server>/api/v2.`;
      return url
        ? `Check the API URL first (${url}). If it is right, the entry no longer exists: run \`pulumi refresh\`, then \`pulumi up\`.`
        : "Run `pulumi refresh`, then `pulumi up`.";
    },
    exit: 1,
    example: {
      ...apiExample,
      status: 404,
      statusText: "Not Found",
      method: "PUT",
      path: "/ip/trusted/lqiG1RhZ6D",
    },
  }),
  redirect: spec<ApiFacts>({
    title: "The API URL redirects elsewhere",
    when:
      "The server answered with a redirect. It is not followed: the token is sent to the configured API URL and " +
      "nowhere else.",
    message: apiLine,
    fix: () => "Set the API URL to the address the redirect names (it should end in /api/v2).",
    perRun: true,
    exit: 1,
    example: {
      ...apiExample,
      status: 301,
      statusText: "",
      serverMessage: "a redirect to https://tenant.example/api/v2/ip/trusted, not followed",
    },
  }),
  "api-error": spec<ApiFacts>({
    title: "Cloudlock answered an unexpected status",
    when: "Any other error status (405, 409, 418, …).",
    message: apiLine,
    fix: () => "Check the API URL; if it is right, the server's message says what it refused.",
    exit: 1,
    example: { ...apiExample, status: 405, statusText: "", method: "PATCH", path: "/ip/trusted/x" },
  }),
  "incomplete-listing": spec<{ path: string; walks: number; why: string }>({
    title: "A listing could not be proven complete",
    when:
      "The library kept changing while it was read, or the server listed fewer entries than its total. Nothing " +
      "is concluded from such a listing (no entry is taken to be gone).",
    message: (p) =>
      `Cloudlock API GET ${p.path}: the listing could not be proven complete after ${p.walks} walks (${p.why}); ` +
      "nothing was concluded from it.",
    fix: () => "Try again once the library is quiet.",
    exit: 1,
    example: { path: "/ip/trusted", walks: 4, why: "the library changed while it was being read" },
  }),
  "create-not-made": spec<{
    label: string;
    name: string;
    address: string;
    attempts: number;
    last: string;
    library: string;
  }>({
    title: "Creating an entry kept failing",
    when: "Every POST of a create failed without a usable answer, and after each a search showed no entry was made.",
    message: (p) =>
      `${p.label} "${p.name}" (${p.address}): creating it failed ${p.attempts} times (last: ${p.last}). After ` +
      `each failure a search of the ${p.library} library showed no entry was made, so nothing was created.`,
    fix: () => "Running `pulumi up` again is safe.",
    exit: 1,
    example: {
      label: "TrustedIp",
      name: "HQ",
      address: "198.51.100.7",
      attempts: 4,
      last: "Cloudlock API POST /ip/trusted returned 503 Service Unavailable",
      library: "trusted",
    },
  }),
  "set-partial": spec<{ summary: string; first: string }>({
    title: "Some of a set's changes failed",
    when:
      "A TrustedIpSet or SuspiciousIpSet applied part of its changes. The set is saved with the entries that " +
      "exist, and the engine lists the failures.",
    message: (p) => `${p.summary}. First failure: ${p.first}`,
    fix: () => "Correct the cause of the first failure, then run `pulumi up`: it resumes from there.",
    exit: 1,
    example: {
      summary:
        "TrustedIpSet: 1 change(s) failed (of those planned: +2 added); the set is saved with the 1 entries that " +
        "exist, and `pulumi up` resumes from there",
      first: 'entry "VPN" (192.0.2.10): Cloudlock API POST /ip/trusted returned 503 Service Unavailable',
    },
  }),
  "feed-source": spec<{ feed: string; problem: string; fix?: string }>({
    title: "A feed cannot be fetched or read",
    when:
      "`getFeed` (or `cloudlock-pulumi feed pull`) could not read the feed: the server answered an error or " +
      "nothing in time, the body was cut short or larger than the size bound, the file is missing, or the URL " +
      "is not one the provider fetches (plain http beyond this machine, credentials in it). Nothing is written " +
      "to Cloudlock: a set fed by it keeps every entry it has.",
    message: (p) => `feed ${p.feed}: ${p.problem}`,
    fix: (p) =>
      p.fix ??
      "Nothing was written to Cloudlock and the set keeps its entries: run again once the feed answers.",
    exit: 1,
    example: {
      feed: "drop (https://feeds.example/drop.txt)",
      problem: "the server answered 503 Service Unavailable",
    },
  }),
  "feed-format": spec<{ feed: string; problem: string; fix?: string }>({
    title: "A feed cannot be read in the format given",
    when:
      "The feed's content does not fit the arguments: JSON that does not parse, a selector that reaches " +
      "nothing, a CSV column that is not there, a name template naming a field the records lack.",
    message: (p) => `feed ${p.feed}: ${p.problem}`,
    fix: (p) => p.fix ?? "Correct the feed's arguments (format, column, select, name): nothing was written.",
    exit: 1,
    example: {
      feed: "ranges.json",
      problem:
        'select "prefixes[].ipPrefix" reached no value (the items of prefixes have: ip_prefix, region)',
      fix: "Correct the selector to what the feed holds there (listed above): nothing was written.",
    },
  }),
  "feed-empty": spec<{ feed: string; what: string }>({
    title: "A feed gave no entries",
    when:
      "The feed a TrustedIpSet or SuspiciousIpSet is fed from is empty, or none of its lines holds an address: " +
      "a feed that broke, not a library that should be emptied.",
    message: (p) => `feed ${p.feed} ${p.what}; a feed never empties a set, so nothing was changed`,
    fix: () => "Run again once the feed is whole. If the set should be empty, declare it without the feed.",
    exit: 1,
    example: {
      feed: "drop.txt",
      what: "is empty (0 bytes, no line holds an address)",
    },
  }),
  "feed-bad-lines": spec<{ feed: string; bad: number; records: number; max: string; first: string }>({
    title: "Too many of a feed's lines are not addresses",
    when:
      "More than the stated share of a feed's records are not addresses: the feed changed its format or came " +
      "back broken. Below that share, the bad lines are named in a warning and skipped.",
    message: (p) =>
      `${p.bad} of the ${p.records} records of feed ${p.feed} are not addresses, more than ${p.max}; ` +
      `first: ${p.first}`,
    fix: () =>
      "Nothing was changed. Check the feed's format and its arguments (format, column, select); the records " +
      "named are the first that did not parse.",
    exit: 1,
    example: {
      feed: "drop.txt",
      bad: 40,
      records: 120,
      max: "10%",
      first: 'line 3 "<html>": "<html>" is not a valid IPv4 or IPv6 address',
    },
  }),
  "feed-change": spec<{ summary: string; limit: string; id: string; env: string; given?: string }>({
    title: "A set's change is larger than maxChange",
    when:
      "A run would change more of a set than its `maxChange` allows (for a set fed by a feed, 25% by default): a " +
      "feed that dropped most of its lines, or a large edit, waits for a person. The id names the feed's content " +
      "and the change it makes to the set: an allowance stops applying once either differs.",
    message: (p) =>
      `this run would change ${p.summary}, more than maxChange ${p.limit}` +
      (p.given ? ` (${p.env} is set, but to ${p.given}, not this content's id)` : ""),
    fix: (p) =>
      `Nothing was changed. If this change is wanted, allow it for this one run: ${p.env}=${p.id} pulumi up ` +
      `(the id names this content and this change: once either differs, the allowance no longer applies); or ` +
      "raise maxChange.",
    exit: 1,
    example: {
      summary: "82 of the set's 100 entries (82%: -80 removed, +2 added)",
      limit: "25%",
      id: "sha256:9c1f2e3d4b5a6978",
      env: "CLOUDLOCK_ALLOW_LARGE_CHANGE",
    },
  }),
  "feed-address": spec<{ feed: string; count: number; what: string; first: string; allow: string }>({
    title: "A feed holds addresses the set refuses",
    when:
      "A feed holds every address (`0.0.0.0/0`, `::/0`), or a suspicious feed holds a block wider than the stated " +
      "bound, or private or reserved ranges: a mistake in the feed that would flag or trust far too much.",
    message: (p) => `feed ${p.feed} holds ${p.count} ${p.what}: ${p.first}`,
    fix: (p) =>
      `Nothing was changed. If the feed is right, allow them on the set: allow: ["${p.allow}"]; else correct the feed.`,
    exit: 1,
    example: {
      feed: "drop.txt",
      count: 1,
      what: "private or reserved range(s)",
      first: "10.0.0.0/8 (10.0.0.0/8, private (RFC 1918))",
      allow: "private",
    },
  }),
  unsupported: spec<{ what: string; fix: string }>({
    title: "Not something the provider does",
    when:
      "`pulumi import` of a set (a set is not one Cloudlock object), or a resource type or function the plugin " +
      "does not have.",
    message: (p) => p.what,
    fix: (p) => p.fix,
    exit: 1,
    example: {
      what: "TrustedIpSet cannot be imported: a set is not one Cloudlock object.",
      fix:
        "Declare it with the entries you want, and `pulumi up` adopts the existing ones at those addresses (or " +
        "import its entries one by one as TrustedIp).",
    },
  }),
  usage: spec<{ command: string; problem: string; help: string }>({
    title: "A command line is not right",
    when: "`cloudlock-pulumi` or `cloudlock-emulator` meets an unknown option, a missing or bad value.",
    message: (p) => `${p.command}: ${p.problem}`,
    fix: (p) => `Run "${p.help}" for usage.`,
    exit: 2,
    example: {
      command: "cloudlock-pulumi",
      problem: "unknown option --limit",
      help: "cloudlock-pulumi import --help",
    },
  }),
  "input-file": spec<{ problem: string }>({
    title: "A command cannot read or write a file",
    when:
      "A file given to `cloudlock-pulumi` is missing, unreadable or not what the command reads (review: not the " +
      "output of `pulumi preview --json`), or --out cannot be written. The message names the file and why.",
    message: (p) => p.problem,
    fix: () => "",
    advice:
      "The message names the file and why it cannot be used: correct the path or the file; nothing was written.",
    exit: 1,
    example: { problem: "cannot read preview.json: ENOENT" },
  }),
  "emulator-start": spec<{ problem: string; fix?: string }>({
    title: "The emulator cannot start",
    when: "The port is taken or not allowed, or its --data file cannot be used.",
    message: (p) => p.problem,
    fix: (p) => p.fix ?? "",
    advice: "Pick another --port (0 picks a free one), or fix or remove the --data file the message names.",
    exit: 1,
    example: {
      problem: "cannot listen on 127.0.0.1:8080 (EADDRINUSE: the port is in use)",
      fix: "Pick another --port (0 picks a free one), or stop what listens there.",
    },
  }),
} as const;

/** The id of a kind of expected error: a key of {@link PROBLEMS}. */
export type ProblemId = keyof typeof PROBLEMS;

/** The facts the message of kind `K` is built from. */
export type ProblemFacts<K extends ProblemId> = Parameters<(typeof PROBLEMS)[K]["message"]>[0];

/** Every kind, in the table's order. */
export const PROBLEM_IDS = Object.keys(PROBLEMS) as ProblemId[];

const specOf = <K extends ProblemId>(id: K) => PROBLEMS[id] as unknown as ProblemSpec<ProblemFacts<K>>;

/** What happened and what to do, for kind `id`. */
export function describeProblem<K extends ProblemId>(
  id: K,
  facts: ProblemFacts<K>,
): { message: string; fix: string } {
  const s = specOf(id);
  return { message: s.message(facts), fix: s.fix(facts) };
}

/** A message and its fix as one text (the fix left out when empty); defined with the error root in common/. */
export { joinFix };

/** The full text of an expected error of kind `id`. */
export function problemText<K extends ProblemId>(id: K, facts: ProblemFacts<K>): string {
  const d = describeProblem(id, facts);
  return joinFix(d.message, d.fix);
}

/** The kind's title (one short line). */
export const titleOf = (id: ProblemId): string => PROBLEMS[id].title;

/** Whether the kind's cause is shared by a whole run (its fix is then given once per provider process). */
export const isPerRun = (id: ProblemId): boolean => Boolean((PROBLEMS[id] as ProblemSpec<unknown>).perRun);

/** The commands' exit code for the kind. */
export const exitCodeOf = (id: ProblemId): 1 | 2 => PROBLEMS[id].exit;

/**
 * A later error for a cause the run met before (a per-run kind, or the same account of what happened), once the
 * first has said what to do: what happened, and where the fix is.
 */
export function repeatOf(message: string): string {
  return `${message.replace(/[.\s]+$/, "")} (what to do is in the first error about it in this run).`;
}
