/**
 * The review on both routes and what `up` will really do: the plugin's resources read as the dynamic SDK's;
 * a create `up` will refuse is red; a rename is one move (or one failure, with the fix for the route); a set's
 * adoptions and refusals; and `preview --refresh` read as a drift report. Digests are shaped as the real
 * engine writes them (test/engine/review-routes.test.ts checks that against the CLI).
 */
import { main } from "../../cli/main";
import { renderReview, reviewPreview, willFail } from "../../cli/review";
import { WILL_ADOPT, WILL_FAIL, fixFor } from "../../provider/dynamic/forecast";
import { PLUGIN_TOKENS, TYPE_TOKENS } from "../../provider/tokens";

type Label = keyof typeof TYPE_TOKENS;
const URN = "urn:pulumi:dev::proj::";
const urnOf = (type: string, name: string) => `${URN}${type}::${name}`;

interface StateArgs {
  inputs?: object;
  outputs?: object;
  id?: string;
  /** The URN in state, when an alias renamed the resource. */
  urn?: string;
}

/** A step as the engine writes it: `oldState` / `newState` with urn, id, type, inputs and outputs. */
function step(op: string, type: string, name: string, old?: StateArgs, neu?: StateArgs) {
  const urn = urnOf(type, name);
  const state = (s: StateArgs) => ({
    urn: s.urn ?? urn,
    custom: true,
    type,
    ...(s.id && { id: s.id }),
    inputs: { __provider: "exports.x=1", ...s.inputs },
    ...(s.outputs && { outputs: s.outputs }),
  });
  return { op, urn, ...(old && { oldState: state(old) }), ...(neu && { newState: state(neu) }) };
}
const warning = (type: string, name: string, message: string) => ({
  urn: urnOf(type, name),
  severity: "warning",
  message: `warning: ${message}\n`,
});
const info = (type: string, name: string, message: string) => ({
  urn: urnOf(type, name),
  severity: "info",
  message: `${message}\n`,
});

const review = (digest: object) => reviewPreview(digest, Date.parse("2026-06-01T00:00:00Z"));
const md = (digest: object) => renderReview(review(digest));
const rowOf = (text: string, needle: string) =>
  text.split("\n").find((l) => l.startsWith("|") && l.includes(needle));
const section = (text: string, title: string) => {
  const at = text.indexOf(`**${title} (`);
  return at < 0 ? "" : text.slice(at, text.indexOf("\n\n", text.indexOf("|---", at)));
};

describe.each([
  ["the dynamic SDK", TYPE_TOKENS],
  ["the plugin", PLUGIN_TOKENS],
] as const)("%s's resources", (_route, T: Record<Label, string>) => {
  test("per-entry and set changes are reviewed the same way", () => {
    const text = md({
      steps: [
        step("create", T.TrustedIp, "hq", undefined, { inputs: { name: "HQ", ipAddress: "10.0.0.1" } }),
        step(
          "update",
          T.SuspiciousIp,
          "bad",
          { id: "Pk00000001", inputs: { name: "Bad", ipAddress: "203.0.113.9", description: "old" } },
          { inputs: { name: "Bad", ipAddress: "203.0.113.9", description: "new" } },
        ),
        step(
          "update",
          T.TrustedIpSet,
          "offices",
          {
            id: "trusted-set-1",
            inputs: { mode: "additive", entries: { "10.1.0.1": { name: "Paris", ipAddress: "10.1.0.1" } } },
            outputs: {
              mode: "additive",
              entries: { "10.1.0.1": { name: "Paris", ipAddress: "10.1.0.1", pk: "Pk00000002" } },
            },
          },
          { inputs: { mode: "additive", entries: [{ name: "Paris 2", ipAddress: "10.1.0.1/32" }] } },
        ),
      ],
    });
    expect(text.split("\n")[0]).toBe("### Cloudlock IP libraries: 1 added, 2 changed");
    expect(rowOf(text, "HQ")).toContain("create a new entry");
    expect(rowOf(text, "Bad")).toContain("description: old → new");
    expect(rowOf(text, "Bad")).toContain("update entry Pk00000001 in place");
    expect(rowOf(text, "Paris 2")).toContain("name: Paris → Paris 2");
    expect(rowOf(text, "Paris 2")).toContain("update entry Pk00000002 in place");
  });

  test("a create whose address is held elsewhere: listed under Will fail, not Added, and the command exits 3", async () => {
    const message = `${WILL_FAIL} 10.0.0.1 is already held by entry HeLd000001 ("Hand") in the trusted library, and Cloudlock holds one entry per address. ${fixFor("trusted", "HeLd000001", "sdk")}`;
    const digest = {
      steps: [
        step("create", T.TrustedIp, "hq", undefined, { inputs: { name: "HQ", ipAddress: "10.0.0.1" } }),
        step("create", T.TrustedIp, "ok", undefined, { inputs: { name: "OK", ipAddress: "10.0.0.2" } }),
      ],
      diagnostics: [warning(T.TrustedIp, "hq", message)],
    };
    const r = review(digest);
    expect(willFail(r)).toBe(true);
    const text = renderReview(r);
    expect(text.split("\n")[0]).toBe(
      "### Cloudlock IP libraries: 1 added · 1 needs a human · `up` will fail",
    );
    const line = text.split("\n").find((l) => l.includes("Will fail at"))!;
    expect(line).toContain("HQ 10.0.0.1");
    expect(line).toContain("entry HeLd000001");
    // The reason carries the fix: it is whole, to its last words.
    expect(line).toContain("and the entry stays as it is.");
    expect(section(text, "Added")).not.toContain("HQ");
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(["review", "-"], {
      stdout: (s) => void out.push(s),
      stderr: (s) => void err.push(s),
      env: {},
      tty: false,
      stdinTty: false,
      readStdin: async () => JSON.stringify(digest),
    });
    expect(code).toBe(3);
    expect(out.join("")).toContain("Will fail at");
    expect(err.join("")).toMatch(/^cloudlock-pulumi: `pulumi up` will fail: 1 create is refused/);
  });

  test("a rename the new resource adopts (adoptId = the old pk) is one row: renamed, same entry", () => {
    const text = md({
      steps: [
        step(
          "delete",
          T.TrustedIp,
          "hq",
          { id: "Pk00000001", inputs: { name: "HQ", ipAddress: "10.0.0.1" } },
          undefined,
        ),
        step("create", T.TrustedIp, "headquarters", undefined, {
          inputs: { name: "HQ", ipAddress: "10.0.0.1", adoptId: "Pk00000001" },
        }),
      ],
    });
    expect(text.split("\n")[0]).toBe("### Cloudlock IP libraries: 1 renamed");
    const row = rowOf(text, "HQ")!;
    expect(row).toContain('TrustedIp "hq"');
    expect(row).toContain('TrustedIp "headquarters"');
    expect(row).toContain("keep entry Pk00000001");
    expect(text).not.toContain("Removed");
    expect(text).not.toContain("deleted from Cloudlock");
  });

  test("a rename with an alias (an update whose state has the old URN) is one renamed row with its change", () => {
    const text = md({
      steps: [
        step(
          "update",
          T.TrustedIp,
          "headquarters",
          { id: "Pk00000001", urn: urnOf(T.TrustedIp, "hq"), inputs: { name: "HQ", ipAddress: "10.0.0.1" } },
          { inputs: { name: "HQ Berlin", ipAddress: "10.0.0.1" } },
        ),
      ],
    });
    expect(text.split("\n")[0]).toBe("### Cloudlock IP libraries: 1 renamed");
    expect(rowOf(text, "HQ Berlin")).toContain("keep entry Pk00000001, and change name: HQ → HQ Berlin");
  });

  test("a set adopting an entry a per-entry resource gave up is a move, not a removal", () => {
    const text = md({
      steps: [
        step("delete", T.TrustedIp, "hq", {
          id: "Pk00000001",
          inputs: { name: "HQ", ipAddress: "10.0.0.1" },
        }),
        step("create", T.TrustedIpSet, "offices", undefined, {
          inputs: {
            mode: "additive",
            entries: { "10.0.0.1": { name: "HQ", ipAddress: "10.0.0.1" } },
            adopts: { "10.0.0.1": 'Pk00000001 "HQ"' },
          },
        }),
      ],
    });
    expect(text.split("\n")[0]).toBe("### Cloudlock IP libraries: 1 renamed");
    expect(rowOf(text, "HQ")).toContain('TrustedIpSet "offices"');
    expect(rowOf(text, "HQ")).toContain("keep entry Pk00000001");
  });

  test("a set's additions: adopted where an entry holds the address, will fail where it is refused", () => {
    const text = md({
      steps: [
        step("create", T.SuspiciousIpSet, "feed", undefined, {
          inputs: {
            mode: "additive",
            entries: {
              "203.0.113.1": { name: "a", ipAddress: "203.0.113.1" },
              "203.0.113.2": { name: "b", ipAddress: "203.0.113.2" },
              "203.0.113.3": { name: "c", ipAddress: "203.0.113.3" },
            },
            adopts: { "203.0.113.1": 'Pk00000001 "a by hand"' },
            refused: { "203.0.113.2": 'entry Pk00000002 ("x") already holds 203.0.113.2 with name "x"' },
          },
        }),
      ],
    });
    expect(text.split("\n")[0]).toBe(
      "### Cloudlock IP libraries: 1 added, 1 adopted · 1 needs a human · `up` will fail",
    );
    expect(rowOf(text, "203.0.113.1")).toContain("take over entry Pk00000001, creating none");
    expect(rowOf(text, "203.0.113.3")).toContain("create a new entry");
    expect(text).toMatch(/\*\*Will fail at `up`\*\*: b 203\.0\.113\.2 .*entry Pk00000002/);
  });

  test("a create forecast as adopted (CLOUDLOCK_ADOPT_IDENTICAL) is an adoption", () => {
    const text = md({
      steps: [
        step("create", T.TrustedIp, "hq", undefined, { inputs: { name: "HQ", ipAddress: "10.0.0.1" } }),
      ],
      diagnostics: [
        info(
          T.TrustedIp,
          "hq",
          `${WILL_ADOPT} entry Pk00000009 ("HQ") already holds 10.0.0.1 with exactly this`,
        ),
      ],
    });
    expect(rowOf(text, "HQ")).toContain("take over entry Pk00000009");
  });
});

describe("a rename `up` will refuse names the fix for the route", () => {
  const digest = (type: string, route: "sdk" | "data-file" | "plugin") => ({
    steps: [
      step("delete", type, "trusted-hq", { id: "Pk00000001", inputs: { name: "HQ", ipAddress: "10.0.0.1" } }),
      step("create", type, "trusted-hq-berlin", undefined, {
        inputs: { name: "HQ Berlin", ipAddress: "10.0.0.1" },
      }),
    ],
    diagnostics: [
      warning(
        type,
        "trusted-hq-berlin",
        `${WILL_FAIL} 10.0.0.1 is already held by entry Pk00000001 ("HQ") in the trusted library, and ` +
          `Cloudlock holds one entry per address. ${fixFor("trusted", "Pk00000001", route)}`,
      ),
    ],
  });

  test.each([
    ["sdk", TYPE_TOKENS.TrustedIp, 'give the resource the option: `aliases: [{ name: "trusted-hq" }]`'],
    ["data-file", TYPE_TOKENS.TrustedIp, "add to the record: `renamedFrom: trusted-hq`"],
    [
      "plugin",
      PLUGIN_TOKENS.TrustedIp,
      "give the resource the aliases option with its old name: `trusted-hq`",
    ],
  ] as const)("%s", (route, type, fix) => {
    const r = review(digest(type, route));
    expect(willFail(r)).toBe(true);
    const text = renderReview(r);
    const line = text.split("\n").find((l) => l.includes("Rename will fail"))!;
    expect(line).toContain('TrustedIp "trusted-hq" → HQ Berlin 10.0.0.1');
    expect(line).toContain("To keep entry Pk00000001 under the new name, " + fix);
    // The fix is the point of the row: a long reason never cuts it off.
    expect(line.endsWith(fix)).toBe(true);
    // The entry stays where it is: never reviewed as deleted.
    expect(text).not.toContain("Removed");
    expect(text).not.toContain("Added");
  });
});

describe("preview --refresh, read as a drift report", () => {
  const T = TYPE_TOKENS;
  const recorded = { name: "VPN", ipAddress: "10.0.0.2" };
  const refresh = (type: string, name: string, s: StateArgs) => step("refresh", type, name, s, s);

  test("a field edited by hand: one drift row (recorded → now) that `up` sets back, and no change row", () => {
    const r = review({
      steps: [
        refresh(T.TrustedIp, "vpn", { id: "Pk00000002", inputs: recorded, outputs: recorded }),
        step(
          "update",
          T.TrustedIp,
          "vpn",
          {
            id: "Pk00000002",
            inputs: { ...recorded, description: "edited by hand" },
            outputs: { ...recorded, description: "edited by hand" },
          },
          { inputs: recorded },
        ),
      ],
    });
    const text = renderReview(r);
    expect(text.split("\n")[0]).toBe("### Cloudlock IP libraries: 1 drifted");
    const row = rowOf(text, "VPN")!;
    expect(row).toContain("description: (none) → edited by hand");
    expect(row).toContain("set it back");
    expect(text).not.toContain("**Changed");
    expect(willFail(r)).toBe(false);
  });

  test("an entry deleted by hand: drift that `up` creates again, not an addition", () => {
    const text = md({
      steps: [
        refresh(T.TrustedIp, "vpn", { id: "Pk00000002", inputs: recorded, outputs: recorded }),
        step("create", T.TrustedIp, "vpn", undefined, { inputs: recorded }),
      ],
    });
    expect(text.split("\n")[0]).toBe("### Cloudlock IP libraries: 1 drifted");
    expect(rowOf(text, "VPN")).toContain("entry Pk00000002 is gone");
    expect(rowOf(text, "VPN")).toContain("create it again");
  });

  test("a set's entries: renamed by hand is set back; deleted by hand is made again", () => {
    const entries = {
      "10.1.0.1": { name: "S1", ipAddress: "10.1.0.1", pk: "Pk00000011" },
      "10.1.0.2": { name: "S2", ipAddress: "10.1.0.2", pk: "Pk00000012" },
    };
    const declared = { mode: "additive", entries: [entries["10.1.0.1"], entries["10.1.0.2"]] };
    const now = { "10.1.0.1": { ...entries["10.1.0.1"], name: "S1 by hand" } };
    const text = md({
      steps: [
        refresh(T.TrustedIpSet, "s", {
          id: "set",
          inputs: { mode: "additive", entries },
          outputs: { entries },
        }),
        step(
          "update",
          T.TrustedIpSet,
          "s",
          {
            id: "set",
            inputs: { mode: "additive", entries: now },
            outputs: { mode: "additive", entries: now },
          },
          { inputs: declared },
        ),
      ],
    });
    expect(text.split("\n")[0]).toBe("### Cloudlock IP libraries: 2 drifted");
    expect(rowOf(text, "S1")).toContain("name: S1 → S1 by hand");
    expect(rowOf(text, "S1")).toContain("set it back");
    expect(rowOf(text, "S2")).toContain("entry Pk00000012 is gone");
    expect(rowOf(text, "S2")).toContain("create it again");
  });

  test("nothing drifted and nothing declared changed: one line", () => {
    expect(
      md({
        steps: [
          refresh(T.TrustedIp, "vpn", { id: "Pk00000002", inputs: recorded, outputs: recorded }),
          step(
            "same",
            T.TrustedIp,
            "vpn",
            { id: "Pk00000002", inputs: recorded, outputs: recorded },
            { inputs: recorded },
          ),
        ],
      }),
    ).toBe("No changes to Cloudlock IP libraries and no drift.\n");
  });
});

test("a fix shown as code cannot be closed, broken or reordered by a hostile resource name", () => {
  const hostile = "old`name\n<img src=x>@here\u202Eevil";
  const text = md({
    steps: [
      step("delete", TYPE_TOKENS.TrustedIp, hostile, {
        id: "Pk00000001",
        inputs: { name: "HQ", ipAddress: "10.0.0.1" },
      }),
      step("create", TYPE_TOKENS.TrustedIp, "new", undefined, {
        inputs: { name: "HQ", ipAddress: "10.0.0.1" },
      }),
    ],
    diagnostics: [
      warning(
        TYPE_TOKENS.TrustedIp,
        "new",
        `${WILL_FAIL} 10.0.0.1 is already held by entry Pk00000001 ("HQ") in the trusted library. ${fixFor("trusted", "Pk00000001", "sdk")}`,
      ),
    ],
  });
  const line = text.split("\n").find((l) => l.includes("Rename will fail"))!;
  const fix = line.slice(line.lastIndexOf(": `"));
  expect(fix).toBe(': `aliases: [{ name: "oldname\\n<img src=x>@hereevil" }]`');
});

describe("moves between resources", () => {
  const T = TYPE_TOKENS;
  const setWith = (entries: object, extra: object = {}) => ({
    id: "set-1",
    inputs: { mode: "additive", entries },
    outputs: { mode: "additive", entries },
    ...extra,
  });
  const paris = { name: "Paris", ipAddress: "192.0.2.200", pk: "Pk00000020" };
  const moveOut = (dependsOnParis: boolean) => ({
    steps: [
      {
        ...step("update", T.TrustedIpSet, "offices", setWith({ "192.0.2.200": paris }), {
          inputs: { mode: "additive", entries: [] },
        }),
        ...(dependsOnParis && {
          newState: {
            urn: urnOf(T.TrustedIpSet, "offices"),
            type: T.TrustedIpSet,
            inputs: { mode: "additive", entries: [] },
            dependencies: [urnOf(T.TrustedIp, "paris")],
          },
        }),
      },
      step("create", T.TrustedIp, "paris", undefined, {
        inputs: { name: "Paris office", ipAddress: "192.0.2.200", adoptId: "Pk00000020" },
      }),
    ],
  });

  test("out of a set into a TrustedIp with adoptId: will fail unless the set depends on it (the set may delete first)", () => {
    const r = review(moveOut(false));
    expect(willFail(r)).toBe(true);
    const line = renderReview(r)
      .split("\n")
      .find((l) => l.includes("Rename will fail"))!;
    expect(line).toContain("in no fixed order: if the set runs first, it deletes the entry");
    expect(line).toContain('give TrustedIpSet "offices" the dependsOn option naming: `TrustedIp "paris"`');
  });

  test("with the set depending on the new owner: one renamed row, with the fields up changes", () => {
    const r = review(moveOut(true));
    expect(willFail(r)).toBe(false);
    const text = renderReview(r);
    expect(text.split("\n")[0]).toBe("### Cloudlock IP libraries: 1 renamed");
    expect(rowOf(text, "Paris office")).toContain(
      "keep entry Pk00000020, and change name: Paris → Paris office",
    );
  });
});

test("an adoptId the preview found naming no entry is a create that will fail, not an adoption", () => {
  const r = review({
    steps: [
      step("create", TYPE_TOKENS.TrustedIp, "hq", undefined, {
        inputs: { name: "HQ", ipAddress: "10.0.0.1", adoptId: "NoSuchPk01" },
      }),
    ],
    diagnostics: [
      warning(
        TYPE_TOKENS.TrustedIp,
        "hq",
        `${WILL_FAIL} adoptId "NoSuchPk01": no trusted entry with that id exists in Cloudlock. Check the id.`,
      ),
    ],
  });
  expect(willFail(r)).toBe(true);
  expect(r.libraries.trusted.adopted).toEqual([]);
  expect(renderReview(r)).toContain("no trusted entry with that id exists");
});
