/**
 * `cloudlock-pulumi review` on small preview digests of the shape the engine writes (see
 * test/engine/review.test.ts for the real thing): each section, sets entry by entry, what needs a human, the
 * Markdown safe whatever an entry is called; and the command's input handling and exit codes.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { runCli } from "../helpers/cli";
import { cell, parsePreview, renderReview, reviewPreview } from "../../cli/review";

const URN = "urn:pulumi:dev::proj::";
const T = (t: string) => `pulumi-nodejs:dynamic/cloudlock:${t}`;

/** A step as `pulumi preview --json` writes it (only the fields review reads, plus some it must ignore). */
function step(op: string, type: string, name: string, olds?: object, news?: object, extra: object = {}) {
  const urn = `${URN}${T(type)}::${name}`;
  const state = (inputs: object) => ({
    urn,
    custom: true,
    type: T(type),
    inputs: { __provider: "exports.x=1", ...inputs },
  });
  return {
    op,
    urn,
    ...(olds && { oldState: state(olds) }),
    ...(news && { newState: state(news) }),
    detailedDiff: null,
    ...extra,
  };
}
const stackStep = {
  op: "create",
  urn: `${URN}pulumi:pulumi:Stack::proj-dev`,
  newState: { type: "pulumi:pulumi:Stack" },
};
const keyed = (...es: { name: string; ipAddress: string; [k: string]: unknown }[]) =>
  Object.fromEntries(es.map((e) => [e.ipAddress, e]));

const md = (digest: object, now = Date.parse("2026-06-01T00:00:00Z")) =>
  renderReview(reviewPreview(digest, now));

/** The cells of a table row, split only where Markdown would split them (an unescaped `|`). */
const cells = (row: string) => row.replace(/^\| | \|$/g, "").split(/(?<!\\)\|/);
const rowOf = (text: string, needle: string) =>
  text.split("\n").find((l) => l.startsWith("|") && l.includes(needle));

describe("rendering", () => {
  test("an empty plan, or one that only creates the stack, is one line", () => {
    expect(md({ steps: [] })).toBe("No changes to Cloudlock IP libraries.\n");
    expect(md({ steps: [stackStep], changeSummary: { create: 1 } })).toBe(
      "No changes to Cloudlock IP libraries.\n",
    );
    expect(
      md({
        steps: [
          step(
            "same",
            "TrustedIp",
            "hq",
            { name: "HQ", ipAddress: "10.0.0.1" },
            { name: "HQ", ipAddress: "10.0.0.1" },
          ),
        ],
      }),
    ).toBe("No changes to Cloudlock IP libraries.\n");
    const other = {
      op: "update",
      urn: `${URN}aws:s3/bucket:Bucket::b`,
      newState: { type: "aws:s3/bucket:Bucket" },
      oldState: { type: "aws:s3/bucket:Bucket" },
    };
    expect(md({ steps: [other] })).toBe(
      "No changes to Cloudlock IP libraries (1 other resource changes too, not reviewed here).\n",
    );
  });

  test("per-entry resources: added, adopted, changed (canonical addresses), replaced (why), removed; counts first", () => {
    const text = md({
      steps: [
        stackStep,
        step("create", "TrustedIp", "hq", undefined, { name: "HQ", ipAddress: "198.51.100.0/24" }),
        step("create", "SuspiciousIp", "old", undefined, {
          name: "Known bad",
          ipAddress: "203.0.113.9",
          adoptId: "AbCdEfGhIj",
        }),
        step(
          "update",
          "TrustedIp",
          "vpn",
          { name: "VPN", ipAddress: "2001:DB8:0:0::1", description: "a" },
          { name: "VPN", ipAddress: "2001:db8::2", description: "a" },
        ),
        step(
          "replace",
          "SuspiciousIp",
          "bad",
          { name: "Bad one", ipAddress: "192.0.2.7" },
          { name: "Bad two", ipAddress: "192.0.2.7" },
          { replaceReasons: ["name"] },
        ),
        step("delete", "TrustedIp", "gone", { name: "Gone", ipAddress: "192.0.2.1" }),
      ],
    });
    const [headline] = text.split("\n");
    expect(headline).toBe("### Cloudlock IP libraries: 1 added, 1 adopted, 1 changed, 1 replaced, 1 removed");
    // Counts table before any entry table.
    expect(text.indexOf("| Added | 1 | 0 |")).toBeGreaterThan(0);
    expect(text.indexOf("| Added | 1 | 0 |")).toBeLessThan(text.indexOf("#### Trusted IPs"));
    expect(text).toContain("| Adopted | 0 | 1 |");
    // Each row ends with what `up` will do, naming the entry by its pk where it has one.
    expect(cells(rowOf(text, "HQ")!)).toEqual([
      "HQ ",
      " 198.51.100.0/24 ",
      ' TrustedIp "hq" ',
      " create a new entry",
    ]);
    expect(cells(rowOf(text, "Known bad")!)).toEqual([
      "Known bad ",
      " 203.0.113.9 ",
      ' SuspiciousIp "old" ',
      " take over entry AbCdEfGhIj, creating none",
    ]);
    expect(rowOf(text, "VPN")).toContain("ipAddress: 2001:db8::1 → 2001:db8::2");
    expect(rowOf(text, "VPN")).not.toContain("description");
    expect(cells(rowOf(text, "Bad two")!)[2]).toBe(" name ");
    expect(rowOf(text, "Bad two")).toContain("name: Bad one → Bad two");
    expect(cells(rowOf(text, "Gone")!)).toEqual([
      "Gone ",
      " 192.0.2.1 ",
      ' TrustedIp "gone" ',
      " delete the entry",
    ]);
    // Each entry sits under its library.
    const trusted = text.slice(text.indexOf("#### Trusted IPs"), text.indexOf("#### Suspicious IPs"));
    expect(trusted).toContain("HQ");
    expect(trusted).not.toContain("Known bad");
    expect(text).not.toContain("Needs a human");
  });

  test("sets: the entry-level diff of old and new entries; a field that cannot change in place is a replacement", () => {
    const text = md({
      steps: [
        step(
          "update",
          "TrustedIpSet",
          "offices",
          {
            mode: "additive",
            entries: keyed({ name: "Paris", ipAddress: "10.0.0.1" }, { name: "Rome", ipAddress: "10.0.0.2" }),
          },
          {
            mode: "additive",
            entries: keyed(
              { name: "Paris 2", ipAddress: "10.0.0.1" },
              { name: "Oslo", ipAddress: "10.0.0.3", categories: ["office"] },
            ),
          },
        ),
        step(
          "update",
          "SuspiciousIpSet",
          "feed",
          { entries: keyed({ name: "scanner", ipAddress: "2001:db8::1", description: "x" }) },
          { entries: keyed({ name: "scanner v2", ipAddress: "2001:db8::1", description: "y" }) },
        ),
        step("create", "SuspiciousIpSet", "new", undefined, {
          entries: keyed({ name: "n1", ipAddress: "192.0.2.10" }),
        }),
        step("delete", "TrustedIpSet", "old", {
          entries: keyed({ name: "o1", ipAddress: "192.0.2.20" }, { name: "o2", ipAddress: "192.0.2.21" }),
        }),
      ],
    });
    expect(text.split("\n")[0]).toBe("### Cloudlock IP libraries: 2 added, 1 changed, 1 replaced, 3 removed");
    expect(cells(rowOf(text, "Oslo")!)).toEqual([
      "Oslo ",
      " 10.0.0.3 ",
      ' TrustedIpSet "offices" ',
      " create a new entry",
    ]);
    expect(rowOf(text, "Paris 2")).toContain("name: Paris → Paris 2");
    expect(rowOf(text, "Rome")).toContain('TrustedIpSet "offices"');
    const replaced = rowOf(text, "scanner v2")!;
    expect(cells(replaced)[2]).toBe(" name ");
    expect(replaced).toContain("name: scanner → scanner v2<br>description: x → y");
    expect(rowOf(text, "n1")).toContain('SuspiciousIpSet "new"');
    for (const n of ["o1", "o2"]) expect(rowOf(text, n)).toContain('TrustedIpSet "old"');
    // Sets given as a list (not yet keyed) are read the same way.
    const listed = md({
      steps: [
        step("create", "TrustedIpSet", "l", undefined, {
          entries: [{ name: "L", ipAddress: "10.9.0.0/16" }],
        }),
      ],
    });
    expect(rowOf(listed, "| L |")).toContain("10.9.0.0/16");
  });

  test("needs a human: undeclared removals, overlaps, passed expiries, policy and preview errors", () => {
    const text = md({
      steps: [
        step(
          "update",
          "TrustedIpSet",
          "all",
          { mode: "authoritative", entries: {} },
          {
            mode: "authoritative",
            entries: keyed({ name: "Net", ipAddress: "10.0.0.0/24" }),
            removeUndeclared: { "10.1.1.1": '"Stray" 10.1.1.1, id abcdefghij' },
          },
        ),
        step("create", "TrustedIp", "inside", undefined, { name: "Inside", ipAddress: "10.0.0.5" }),
        step("create", "SuspiciousIp", "late", undefined, {
          name: "Late",
          ipAddress: "192.0.2.99",
          expiresOn: "2026-01-01T00:00:00Z",
        }),
        step(
          "same",
          "SuspiciousIp",
          "soon",
          { name: "Soon", ipAddress: "192.0.2.98", expiresOn: "2027-01-01T00:00:00Z" },
          { name: "Soon", ipAddress: "192.0.2.98", expiresOn: "2027-01-01T00:00:00Z" },
        ),
      ],
      diagnostics: [
        { message: "info: TrustedIpSet: +1 added\n", severity: "info" },
        {
          urn: "x",
          message:
            "[mandatory]  cloudlock-rules v0.1.0  no-wide-blocks (all: TrustedIpSet)\nblock too wide\n",
          severity: "error",
        },
        { message: "error: Preview failed: boom\n", severity: "error" },
      ],
    });
    expect(text.split("\n")[0]).toMatch(/^### Cloudlock IP libraries: 3 added · 5 need a human$/);
    const human = text.slice(text.indexOf("#### Needs a human"), text.indexOf("#### Trusted IPs"));
    expect(human).toContain("**Removes 1 entry nobody declares** (authoritative TrustedIpSet");
    expect(human).toContain("Stray");
    expect(human).toMatch(/\*\*Overlap\*\*: Net 10\.0\.0\.0\/24 .* and Inside 10\.0\.0\.5/);
    expect(human).toMatch(/\*\*Expiry passed\*\*: Late 192\.0\.2\.99 .* expires 2026-01-01T00:00:00Z/);
    expect(human).not.toContain("Soon");
    expect(human).toContain(
      "**Policy**: &#91;mandatory&#93;  cloudlock-rules v0.1.0  no-wide-blocks &#40;all: TrustedIpSet&#41; block too wide\n",
    );
    expect(human).toContain("**Preview error**: Preview failed: boom");
    expect(human).not.toContain("+1 added");
    // An authoritative set that found nothing undeclared is a caveat line, not a finding.
    const quiet = md({
      steps: [
        step("create", "TrustedIpSet", "all", undefined, {
          mode: "authoritative",
          entries: keyed({ name: "A", ipAddress: "10.0.0.1" }),
        }),
      ],
    });
    expect(quiet).not.toContain("Needs a human");
    expect(quiet).toMatch(/> TrustedIpSet "all": authoritative; this preview found no undeclared entries/);
  });

  test("a failed preview is never 'No changes': no steps, or a bare 'preview failed', say where to look", () => {
    const crashed = md({
      diagnostics: [
        {
          message: "error: [runtime] Running program '/p' failed with an unhandled exception:\n\n",
          severity: "info#err",
        },
        { message: "    \u001b[4mError\u001b[24m: Version must be defined\n\n", severity: "info#err" },
      ],
    });
    expect(crashed.split("\n")[0]).toBe("### Cloudlock IP libraries: no entry changes · 1 needs a human");
    expect(crashed).toContain(
      "**Preview error**: the preview failed before planning any step: error: &#91;runtime&#93;",
    );
    expect(crashed).toContain("Error: Version must be defined");
    expect(crashed).not.toContain("\u001b");
    const failed = md({
      steps: [stackStep],
      diagnostics: [{ message: "error: preview failed\n", severity: "error" }],
      changeSummary: { create: 1 },
    });
    expect(failed).toContain(
      "**Preview error**: preview failed (a resource error or a mandatory policy violation",
    );
  });

  test("the streamed form (one engine event per line) is read too, with its policy events", () => {
    const urn = `${URN}${T("SuspiciousIp")}::bad`;
    const lines = [
      { sequence: 0, policyLoadEvent: {} },
      {
        sequence: 1,
        resourcePreEvent: {
          metadata: {
            op: "create",
            urn: `${URN}pulumi:pulumi:Stack::p`,
            type: "pulumi:pulumi:Stack",
            old: null,
            new: { type: "pulumi:pulumi:Stack", inputs: {} },
          },
          planning: true,
        },
      },
      {
        sequence: 2,
        resourcePreEvent: {
          metadata: {
            op: "replace",
            urn,
            type: T("SuspiciousIp"),
            old: { type: T("SuspiciousIp"), inputs: { name: "Old", ipAddress: "203.0.113.7" } },
            new: { type: T("SuspiciousIp"), inputs: { name: "New", ipAddress: "203.0.113.7" } },
            keys: ["name"],
          },
          planning: true,
        },
      },
      { sequence: 3, diagnosticEvent: { prefix: "debug: ", message: "noise\n", severity: "debug" } },
      {
        sequence: 4,
        policyEvent: {
          resourceUrn: urn,
          message: "no Bad\nname <b>refused</b>\n",
          policyName: "no-bad",
          policyPackName: "rules",
          enforcementLevel: "mandatory",
        },
      },
      { sequence: 5, diagnosticEvent: { prefix: "error: ", message: "preview failed\n", severity: "error" } },
      {
        sequence: 6,
        summaryEvent: { resourceChanges: { replace: 1, create: 1 }, isPreview: true, result: "failed" },
      },
    ];
    const text = renderReview(
      reviewPreview(parsePreview(lines.map((l) => JSON.stringify(l)).join("\n"), "stdin")),
    );
    expect(text.split("\n")[0]).toBe("### Cloudlock IP libraries: 1 replaced · 2 need a human");
    expect(cells(rowOf(text, "New")!)[2]).toBe(" name ");
    expect(text).toContain(
      "**Policy**: &#91;mandatory&#93; rules/no-bad &#40;bad&#41;: no Bad name &#60;b&#62;refused&#60;/b&#62;",
    );
    expect(text).toContain("**Preview error**: preview failed\n");
    expect(text).not.toContain("noise");
  });

  test("a hostile entry name cannot break a table row, open code, inject HTML or math, or mention anyone", () => {
    const hostile =
      "x | y `code` <img src=x onerror=alert(1)> **b** [l](http://e) @org/team $1+1$ \\ end\nnext\u202eevil";
    const text = md({
      steps: [
        step("create", "TrustedIp", "h", undefined, {
          name: hostile,
          ipAddress: "10.0.0.1",
          description: "d",
        }),
      ],
    });
    const row = rowOf(text, "10.0.0.1")!;
    expect(cells(row)).toHaveLength(4);
    for (const bad of ["|", "`", "<", ">", "*", "[", "@", "$", "\\", "\n", "\u202e"])
      expect(cells(row)[0]).not.toContain(bad);
    expect(row).toContain("&#124;");
    expect(row).toContain("&#96;code&#96;");
    expect(row).toContain("&#60;img");
    // Not just an entity: GitHub finds mentions after decoding, so a zero-width space follows the `@`.
    expect(row).toContain("&#64;&#8203;org/team");
    expect(row).toContain("U+000A");
    expect(row).toContain("U+202E");
    // The whole name is on the entry's one row: counts table (3 lines) + entry table (3 lines).
    expect(text.split("\n").filter((l) => l.startsWith("|"))).toHaveLength(6);
    // The resource name (from the URN) and a changed value are escaped too.
    const changed = md({
      steps: [
        step(
          "update",
          "TrustedIp",
          "a|b",
          { name: "n", ipAddress: "10.0.0.1", description: "<b>" },
          { name: "n", ipAddress: "10.0.0.1", description: "`|`" },
        ),
      ],
    });
    const c = rowOf(changed, "10.0.0.1")!;
    expect(cells(c)).toHaveLength(5);
    expect(c).toContain("description: &#60;b&#62; → &#96;&#124;&#96;");
    expect(c).toContain('TrustedIp "a&#124;b"');
    expect(cell("a".repeat(200), 10)).toBe(`${"a".repeat(9)}…`);
  });

  test("long lists collapse into <details>; short ones stay open", () => {
    const many = Array.from({ length: 12 }, (_, i) => ({ name: `e${i}`, ipAddress: `192.0.2.${i + 1}` }));
    const text = md({ steps: [step("create", "TrustedIpSet", "s", undefined, { entries: keyed(...many) })] });
    expect(text).toContain("<details><summary>Added (12)</summary>\n\n| Name |");
    expect(text).toMatch(/\| e11 \| 192\.0\.2\.12 \|[^\n]*\n\n<\/details>/);
    // Sorted by address, numerically: .2 before .10.
    expect(text.indexOf("192.0.2.2 ")).toBeLessThan(text.indexOf("192.0.2.10 "));
    const few = md({
      steps: [step("create", "TrustedIpSet", "s", undefined, { entries: keyed(...many.slice(0, 3)) })],
    });
    expect(few).not.toContain("<details>");
    expect(few).toContain("**Added (3)**");
  });
});

describe("review findings: hostile plans", () => {
  test("`preview --refresh` lists each resource twice (refresh, then plan): counted once", () => {
    const entries = keyed({ name: "A", ipAddress: "10.0.0.1" });
    const set = { mode: "authoritative", entries };
    const text = md({
      steps: [
        step("refresh", "TrustedIpSet", "all", set, set),
        step("same", "TrustedIpSet", "all", set, set),
        step(
          "refresh",
          "TrustedIp",
          "one",
          { name: "B", ipAddress: "10.0.0.2" },
          { name: "B", ipAddress: "10.0.0.2" },
        ),
        step(
          "update",
          "TrustedIp",
          "one",
          { name: "B", ipAddress: "10.0.0.2" },
          { name: "C", ipAddress: "10.0.0.2" },
        ),
      ],
    });
    expect(text).not.toContain("Overlap");
    expect(text).not.toContain("Needs a human");
    expect(text).toContain('> TrustedIpSet "all": authoritative; this preview');
    expect(text).not.toMatch(/TrustedIpSet "all", TrustedIpSet "all"/);
    expect(text.split("\n")[0]).toBe("### Cloudlock IP libraries: 1 changed");
  });

  test("many overlaps: no stack overflow, one pair per overlapping entry, each list capped", () => {
    const wide = step("create", "TrustedIp", "wide", undefined, { name: "Wide", ipAddress: "10.0.0.0/8" });
    const many = Array.from({ length: 130_000 }, (_, i) => ({
      name: `e${i}`,
      ipAddress: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
    }));
    const review = reviewPreview({
      steps: [
        wide,
        step("create", "TrustedIpSet", "big", undefined, {
          entries: Object.fromEntries(many.map((e) => [e.ipAddress, e])),
        }),
      ],
    });
    expect(review.needsHuman.overlaps).toHaveLength(130_000);
    const human = renderReview(review).split("#### Needs a human")[1].split("####")[0];
    expect(human.match(/\*\*Overlap\*\*/g)).toHaveLength(20);
    expect(human).toContain("… and 129980 more overlapping entries");
    // 3,000 ranges that all overlap one another: pairs per entry, not per pair of entries.
    const ranges = Array.from({ length: 3000 }, (_, i) => ({
      name: `r${i}`,
      ipAddress: `10.0.${i >> 8}.${i & 255}-10.200.0.0`,
    }));
    const text = md({
      steps: [step("create", "TrustedIpSet", "r", undefined, { entries: keyed(...ranges) })],
    });
    expect(text.split("\n")[0]).toMatch(/· \d+ need/);
    expect(text.length).toBeLessThan(1_000_000);
    const overlapLines = text.split("\n").filter((l) => l.includes("**Overlap**"));
    expect(overlapLines).toHaveLength(20);
  });

  test("mentions, issue references and autolinks are broken, not just escaped", () => {
    const text = md({
      steps: [
        step("create", "TrustedIp", "h", undefined, {
          name: "@octocat please approve #1 and owner/repo#2 https://evil.example/login?x=1 WWW.evil.example",
          ipAddress: "10.0.0.1",
        }),
      ],
    });
    // What GitHub sees once entities are decoded.
    const decoded = text.replace(/&#(\d+);/g, (_, n: string) => String.fromCodePoint(Number(n)));
    expect(decoded).toContain("@\u200Boctocat");
    expect(decoded).not.toMatch(/@\w/);
    expect(decoded).not.toMatch(/#\d/);
    expect(decoded).not.toMatch(/:\/\//);
    expect(decoded).not.toMatch(/www\./i);
    expect(decoded).toContain("please approve");
  });

  test("an error keeps its reason (after `has a problem:`, else its end), once", () => {
    const dump = Array.from({ length: 40 }, (_, i) => `{"name":"entry ${i}","ipAddress":"10.0.0.${i}"}`).join(
      ",",
    );
    const message = `error: TrustedIpSet resource 'all' has a problem: ${dump} TrustedIpSet resource 'all' has a problem: entries[4] "x": name must not contain a tab\n`;
    const text = md({
      steps: [],
      diagnostics: Array.from({ length: 4 }, () => ({ message, severity: "error" })),
    });
    const errors = text.split("\n").filter((l) => l.includes("**Preview error**"));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain("name must not contain a tab");
    const long = `what happened first ${"x".repeat(1000)} the fix at the end`;
    const shown = md({ diagnostics: [{ message: long, severity: "error" }] });
    expect(shown).toContain("what happened first");
    expect(shown).toContain("the fix at the end");
    expect(shown).toContain(" … ");
    // A guard rail's refusal (a message and its fix, a few hundred characters) is shown whole.
    const refusal =
      "error: cloudlock:index:SuspiciousIpSet resource 'threats' has a problem: this run would change 82 of the " +
      "set's 100 entries (82%: -80 removed, +2 added), more than maxChange 25%. Nothing was changed. If this change " +
      "is wanted, allow it for this one run: CLOUDLOCK_ALLOW_LARGE_CHANGE=sha256:9c1f2e3d4b5a6978 pulumi up (the id " +
      "is this content's: once the feed changes, the allowance no longer applies); or raise maxChange.";
    const entities = md({ diagnostics: [{ message: refusal, severity: "error" }] });
    expect(entities.replace(/&#(\d+);/g, (_, n: string) => String.fromCodePoint(Number(n)))).toContain(
      refusal.slice(refusal.indexOf("this run would")),
    );
  });

  test("a summary reporting changes the steps do not show is never 'No changes'; malformed steps are refused", () => {
    for (const digest of [{ steps: [], changeSummary: { delete: 3 } }, { changeSummary: { create: 5 } }]) {
      const text = md(digest);
      expect(text).not.toContain("No changes");
      expect(text).toMatch(/summary reports \d \w+/);
    }
    // The stack's own step accounts for the summary's create: still no changes.
    expect(md({ steps: [stackStep], changeSummary: { create: 1, same: 4 } })).toBe(
      "No changes to Cloudlock IP libraries.\n",
    );
    expect(() => reviewPreview({ steps: [null, 1, "x"] })).toThrow(/steps\[0\] is not a step/);
  });

  test("only the SDK's own types count as Cloudlock resources", () => {
    const text = md({
      steps: [
        {
          op: "create",
          urn: `${URN}acme:cloudlock:TrustedIp::x`,
          newState: { type: "acme:cloudlock:TrustedIp", inputs: { name: "X", ipAddress: "10.0.0.1" } },
        },
      ],
    });
    expect(text).toBe(
      "No changes to Cloudlock IP libraries (1 other resource changes too, not reviewed here).\n",
    );
  });

  test("truncation cuts code points; a long value shows the part that changed", () => {
    const name = `${"a".repeat(118)}😀😀😀`;
    const row = rowOf(
      md({ steps: [step("create", "TrustedIp", "e", undefined, { name, ipAddress: "10.0.0.1" })] }),
      "10.0.0.1",
    )!;
    expect(row).not.toContain("\uFFFD");
    expect(row).toContain("a😀…");
    const long = "n".repeat(100);
    const text = md({
      steps: [
        step(
          "update",
          "TrustedIp",
          "e",
          { name: `${long}xyz`, ipAddress: "10.0.0.1" },
          { name: `${long}xyw`, ipAddress: "10.0.0.1" },
        ),
      ],
    });
    expect(text).toMatch(/name: …n+xyz → …n+xyw/);
  });

  test("a streamed preview that failed partway does not claim it found no undeclared entries", () => {
    const lines = [
      {
        sequence: 1,
        resourcePreEvent: {
          metadata: {
            op: "create",
            urn: `${URN}${T("TrustedIpSet")}::all`,
            new: {
              type: T("TrustedIpSet"),
              inputs: { mode: "authoritative", entries: keyed({ name: "A", ipAddress: "10.0.0.1" }) },
            },
          },
        },
      },
      { sequence: 2, diagnosticEvent: { message: "error: boom\n", severity: "error" } },
    ];
    const text = renderReview(
      reviewPreview(parsePreview(lines.map((l) => JSON.stringify(l)).join("\n"), "x")),
    );
    expect(text).not.toContain("found no undeclared entries");
    expect(text).toContain("the preview failed");
  });
});

describe("the review command", () => {
  let tmp: string;
  beforeAll(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), "cloudlock-review-"))));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const plan = {
    steps: [step("create", "TrustedIp", "hq", undefined, { name: "HQ", ipAddress: "10.0.0.1" })],
  };

  const run = (args: string[], stdin?: string, stdinTty = false) => runCli(args, { stdin, stdinTty });

  test("reads FILE, or stdin when FILE is absent or -, and writes --out", async () => {
    const file = path.join(tmp, "preview.json");
    fs.writeFileSync(file, JSON.stringify(plan));
    const fromFile = await run(["review", file]);
    expect(fromFile).toMatchObject({ code: 0, stderr: "" });
    expect(fromFile.stdout).toContain("| HQ | 10.0.0.1 |");
    expect(await run(["review"], JSON.stringify(plan))).toEqual(fromFile);
    expect(await run(["review", "-"], JSON.stringify(plan))).toEqual(fromFile);
    const out = path.join(tmp, "review.md");
    const written = await run(["review", `--out=${out}`, file]);
    expect(written).toMatchObject({ code: 0, stdout: "" });
    expect(fs.readFileSync(out, "utf8")).toBe(fromFile.stdout);
    expect(await run(["review", file], undefined)).toMatchObject({ code: 0 });
    expect((await run(["review", "-h"])).stdout).toMatch(/^Usage: cloudlock-pulumi review/);
  });

  test("no changes exits 0; unreadable input exits 1 with the reason; a bad command line exits 2", async () => {
    expect(await run(["review", "-"], JSON.stringify({ steps: [stackStep] }))).toEqual({
      code: 0,
      stdout: "No changes to Cloudlock IP libraries.\n",
      stderr: "",
    });
    const cases: [string, RegExp][] = [
      ["", /^cloudlock-pulumi: stdin is empty: did `pulumi preview --json` fail/],
      ["{not json", /^cloudlock-pulumi: stdin is not JSON: /],
      ["[1,2]", /^cloudlock-pulumi: stdin: this is not the output of `pulumi preview --json`/],
      ['{"resources": []}', /not the output of `pulumi preview --json` \(none of steps/],
      ['{"steps": {}}', /no steps list/],
      ['{"steps":[]}\n{"steps":[]}', /^cloudlock-pulumi: stdin is not JSON: /],
    ];
    for (const [input, message] of cases) {
      const r = await run(["review"], input);
      expect(r.code).toBe(1);
      expect(r.stdout).toBe("");
      expect(r.stderr).toMatch(message);
    }
    const missing = await run(["review", path.join(tmp, "nope.json")]);
    expect(missing).toMatchObject({ code: 1, stdout: "" });
    expect(missing.stderr).toContain("cannot read");
    expect(missing.stderr).toContain("ENOENT");
    const two = await run(["review", "a", "b"]);
    expect(two.code).toBe(2);
    expect(two.stderr).toBe(
      'cloudlock-pulumi: give one preview JSON file, got 2\nRun "cloudlock-pulumi review --help" for usage.\n',
    );
    const tty = await run(["review"], "{}", true);
    expect(tty.code).toBe(2);
    expect(tty.stderr).toContain("stdin is a terminal");
    expect((await run(["review", "--json"], "{}")).stderr).toBe(
      'cloudlock-pulumi: unknown option --json\nRun "cloudlock-pulumi review --help" for usage.\n',
    );
  });
});
