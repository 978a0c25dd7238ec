/**
 * Expected errors read like Pulumi's, through the real CLI, on both routes: the dynamic SDK in a TypeScript project
 * folder (Node.js language host, Pulumi's dynamic provider host) and the plugin in a YAML project folder. For each
 * kind the output has no stack trace (no `    at ` frame, no `.js:NN` / `.ts:NN` location), and the whole message
 * (what happened and what to do) appears at most once per place Pulumi shows a resource's error: its progress
 * line, its failure line, and once under Diagnostics. Other resources failing for the same cause say what
 * happened, briefly. One installed project folder per route serves every test; settings come from the
 * environment of each command, so no test changes stack config.
 */
import * as fs from "fs";
import * as net from "net";
import * as path from "path";
import * as yaml from "js-yaml";
import { pulumiRoot } from "../../scripts/lib/engine";
import { READ_ONLY_TOKEN, TOKEN } from "../helpers/emulator";
import { type Project, TARBALL, installed, project, projectFolder, removeProject } from "../helpers/project";
import { count, diagnostics, engineSuite, expectClean } from "./helpers";

const suite = engineSuite("messages");
beforeEach(() => suite.emu.reset());

/** A stack frame or a source location: never in the output of an expected error. */
const BAD_TOKEN = "not-this-token-31337";

type Route = "ts" | "yaml";
const routes: Record<Route, Project> = {} as Record<Route, Project>;

/** One resource per entry, as the route declares it. */
interface Decl {
  name: string;
  kind?: "TrustedIp" | "SuspiciousIp";
  props: Record<string, string>;
}

beforeAll(async () => {
  const ts = projectFolder("examples/offices", "messages-ts");
  const bin = path.join(installed({ "pulumi-cloudlock": TARBALL }), "node_modules", ".bin");
  const yamlDir = projectFolder("examples/yaml", "messages-yaml", { deps: { "pulumi-cloudlock": TARBALL } });
  routes.ts = await project(ts, "dev", {}, { PULUMI_NODEJS_TRANSPILE_ONLY: "true" });
  routes.yaml = await project(
    yamlDir,
    "dev",
    {},
    {
      PATH: [path.join(pulumiRoot(), "bin"), bin, process.env.PATH].join(path.delimiter),
    },
  );
});
afterAll(() => Object.values(routes).forEach((p) => removeProject(p.dir)));

/** Write the route's program: these resources, or (TS only) the given program text. */
function declare(route: Route, decls: Decl[] | string): void {
  const p = routes[route];
  if (route === "ts") {
    const text =
      typeof decls === "string"
        ? decls
        : [
            'import * as cloudlock from "pulumi-cloudlock";',
            ...decls.map(
              (d) =>
                `new cloudlock.${d.kind ?? "TrustedIp"}(${JSON.stringify(d.name)}, ${JSON.stringify(d.props)});`,
            ),
            "",
          ].join("\n");
    fs.writeFileSync(path.join(p.dir, "index.ts"), text);
    return;
  }
  const resources = Object.fromEntries(
    (decls as Decl[]).map((d) => [
      d.name,
      { type: `cloudlock:index:${d.kind ?? "TrustedIp"}`, properties: d.props },
    ]),
  );
  fs.writeFileSync(
    path.join(p.dir, "Pulumi.yaml"),
    yaml.dump({ name: "cloudlock-yaml", runtime: "yaml", resources }),
  );
}

/** Entries at 198.51.100.1.. (documentation addresses), named e1.. */
const entries = (n: number): Decl[] =>
  Array.from({ length: n }, (_, i) => ({
    name: `e${i + 1}`,
    props: { name: `E${i + 1}`, ipAddress: `198.51.100.${i + 1}` },
  }));

/** The settings of a command: the emulator and the token, plus overrides. */
const env = (more: Record<string, string> = {}) => ({
  CLOUDLOCK_API_URL: suite.emu.apiUrl,
  CLOUDLOCK_API_TOKEN: TOKEN,
  ...more,
});

/** `pulumi <args>` on a route, with its settings. */
const run = (route: Route, args: string[], more?: Record<string, string>) =>
  routes[route].run(args, env(more));

/** Destroy whatever the route's stack holds (with a token that works). */
const cleanUp = async (route: Route) => {
  const r = await run(route, ["destroy", "--yes", "--skip-preview"]);
  expect(r.code).toBe(0);
};

/** A local port nothing listens on. */
async function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

describe.each<Route>(["ts", "yaml"])("route %s", (route) => {
  test("validation: a reversed range fails preview with its field's message, once, no request", async () => {
    declare(route, [{ name: "bad", props: { name: "Bad", ipAddress: "10.0.0.9-10.0.0.1" } }]);
    const out = expectClean(
      await run(route, ["preview"]),
      'ipAddress range "10.0.0.9-10.0.0.1" is reversed; the start must not be greater than the end',
    );
    expect(out).toMatch(/resource 'bad': property ipAddress value .* has a problem: ipAddress range/);
    expect(suite.emu.requests().counters.total).toBe(0);
  });

  test("configuration: a setting that does not parse fails preview naming it, once; no request", async () => {
    declare(route, entries(3));
    const r = await run(route, ["preview"], { CLOUDLOCK_TIMEOUT_SECONDS: "soon" });
    // Every resource may fail for it: the fix is said once.
    const out = expectClean(
      r,
      "Correct the environment variable CLOUDLOCK_TIMEOUT_SECONDS: no request was sent",
    );
    expect(out).toContain('CLOUDLOCK_TIMEOUT_SECONDS must be a positive number, got "soon"');
    expect(suite.emu.requests().counters.total).toBe(0);
  });

  test("authentication: a refused token is said once, with the URL and where the token came from; the rest briefly", async () => {
    declare(route, entries(4));
    // Creates: the first resource's error is whole; no request is sent after the first 401.
    const up = await run(route, ["up", "--yes"], { CLOUDLOCK_API_TOKEN: BAD_TOKEN });
    const fix = "Create a token in Cloudlock (Settings > Authentication & API > Generate)";
    const out = expectClean(up, fix);
    const whole = diagnostics(out).join("\n");
    expect(whole).toContain(
      `${suite.emu.apiUrl} did not accept the API token from the environment variable CLOUDLOCK_API_TOKEN. ${fix} ` +
        "for the tenant of that URL, and set it: set CLOUDLOCK_API_TOKEN in the environment Pulumi runs in.",
    );
    expect(out).not.toContain(BAD_TOKEN);
    expect(suite.emu.requests().counters.byStatus["401"]).toBe(1);

    // Reads of existing resources (the host prints a line of its own for each): the same, and no stack.
    expect((await run(route, ["up", "--yes", "--skip-preview"])).code).toBe(0);
    const refresh = await run(route, ["refresh", "--yes", "--skip-preview"], {
      CLOUDLOCK_API_TOKEN: BAD_TOKEN,
    });
    const text = expectClean(refresh, fix);
    expect(count(text, "what to do is in the first error about it in this run")).toBeGreaterThanOrEqual(3);
    if (route === "ts")
      // The host's own line: the call and the title, nothing more.
      expect(text).toMatch(/^\s+TrustedIp read of \w+: Cloudlock refused the API token \(401\)$/m);
    expect(text).not.toContain(BAD_TOKEN);
    await cleanUp(route);
  });

  test("permission: a read-only token stops at the first write, said once; the other writes are not sent", async () => {
    declare(route, entries(4));
    const r = await run(route, ["up", "--yes"], { CLOUDLOCK_API_TOKEN: READ_ONLY_TOKEN });
    const out = expectClean(r, "The API token lacks write permission for IP libraries");
    expect(out).toContain(
      "Cloudlock refused to create an entry in the trusted IP library (403 Forbidden on POST /ip/trusted",
    );
    expect(suite.emu.requests().counters.byMethod.POST).toBe(1);
    expect(suite.emu.entries("trusted")).toEqual([]);
  });

  test("address conflict: an address another entry holds is refused naming it and the adoptId to set", async () => {
    const [held] = suite.emu.seed("trusted", [{ name: "VPN", ip_address: "198.51.100.50" }]);
    declare(route, [{ name: "vpn", props: { name: "VPN gateway", ipAddress: "198.51.100.50" } }]);
    // One operation (no preview first): its check forecasts the refusal with the fix, on the resource; the
    // create's error then points to it.
    const out = expectClean(
      await run(route, ["up", "--yes", "--skip-preview"]),
      route === "ts"
        ? `To manage that entry, set adoptId: "${held.pk}" on this resource.`
        : `To manage that entry, set adoptId: ${held.pk} on this resource, or import it`,
    );
    expect(out).toContain(
      `ipAddress "198.51.100.50" already exists in the trusted library as entry ${held.pk}`,
    );
    expect(suite.emu.entries("trusted")).toHaveLength(1);
  });

  test("rate limit: a server that keeps answering 429 fails the run, said once", async () => {
    // One request a day and no Retry-After: every write is refused, retried within the time bound, then given up.
    // The bound ends the retries; it is also each attempt's, so it is far above how long a 429 from this machine
    // can take to arrive, even loaded.
    suite.emu.setKnobs({ rateLimit: { perSecond: 1 / 86_400, burst: 1 }, retryAfterHeader: false });
    declare(route, entries(3));
    const out = expectClean(
      await run(route, ["up", "--yes"], { CLOUDLOCK_TIMEOUT_SECONDS: "5" }),
      "Run again later, or lower cloudlock:maxRequestsPerSecond",
    );
    expect(out).toMatch(/returned 429 Too Many Requests/);
    expect(suite.emu.entries("trusted")).toEqual([]);
  });

  test("unreachable: a server nobody answers at fails the run naming the URL, said once", async () => {
    declare(route, entries(3));
    const url = `http://127.0.0.1:${await closedPort()}/api/v2`;
    const out = expectClean(
      await run(route, ["up", "--yes"], { CLOUDLOCK_API_URL: url, CLOUDLOCK_TIMEOUT_SECONDS: "1" }),
      `Check the API URL (${url}) and that this machine can reach it`,
    );
    expect(out).toContain("failed: network error ECONNREFUSED");
  });

  test("malformed answer: a listing answered with an HTML page fails the run, said once", async () => {
    suite.emu.setKnobs({ badAnswerRate: 1, badAnswer: "html", faultMethods: ["GET"] });
    declare(route, entries(3));
    // The default time bound: the retries end by their count (about 8 s), and no attempt can be cut short by a
    // bound as tight as a loaded machine is slow (a timeout would tell another story than the answer's).
    const out = expectClean(
      await run(route, ["up", "--yes"]),
      "Check that the API URL ends in /api/v2 and that no proxy answers in the API's place",
    );
    expect(out).toMatch(/answered 200 with an HTML page, which is not the documented shape/);
    expect(suite.emu.entries("trusted")).toEqual([]);
  });
});

test("data file (TypeScript): a typo is one message naming the place and the trusted fields only; no stack", async () => {
  fs.writeFileSync(
    path.join(routes.ts.dir, "offices.yaml"),
    "trusted:\n  - name: A\n    ipAddress: 198.51.100.1\n  - name: B\n    ipAdress: 198.51.100.2\n",
  );
  declare(
    "ts",
    [
      'import * as path from "path";',
      'import * as cloudlock from "pulumi-cloudlock";',
      'cloudlock.declareLibrary(cloudlock.readLibraryFile(path.join(__dirname, "offices.yaml")));',
      "",
    ].join("\n"),
  );
  const out = expectClean(
    await run("ts", ["preview"]),
    "offices.yaml: trusted[1].ipAdress is not an entry field (expected resource, name, ipAddress, description, " +
      "categories, adoptId, renamedFrom); trusted[1].ipAddress is required. Correct the file: nothing was declared from it.",
  );
  expect(out).not.toContain("unhandled exception");
  expect(suite.emu.requests().counters.total).toBe(0);
});
