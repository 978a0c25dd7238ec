/**
 * The SDKs users of the native provider get: the real CLI's `pulumi package gen-sdk` on
 * provider/plugin/schema.json, for Node.js and Go, each then compiled with a small program using it as a user
 * would. Node.js: type-checked with this repository's TypeScript and @pulumi/pulumi. Go: `go build ./...`
 * (skipped, saying so, where there is no `go`).
 *
 * gen-sdk runs each language's host plugin (`pulumi-language-nodejs`, `pulumi-language-go`). The Go module proxy
 * does not serve pulumi-language-go's nested module, so where no real one is beside the CLI or on PATH this test
 * builds a stand-in that serves only package generation, with the generator the real host calls
 * (pkg/v3/codegen/go, at the version scripts/pulumi-cli builds the CLI from). The CLI warns that it uses a
 * plugin from $PATH; that warning is expected here.
 */
import { execFile } from "child_process";
import { createHash } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import { GO_IMPORT_BASE_PATH, NODEJS_PACKAGE, PACKAGE, packageSchema } from "../../provider/plugin/schema";
import { VERSION } from "../../provider/version";
import { REPO_ROOT, engineEnv, pulumiRoot } from "../../scripts/lib/engine";
import { ENGINE_TIMEOUT } from "./helpers";

const run = promisify(execFile);
jest.setTimeout(ENGINE_TIMEOUT);

const SCHEMA = path.join(REPO_ROOT, "provider/plugin/schema.json");
/** The wrapper module the CLI is built from: its go.mod and go.sum pin the Pulumi Go modules. */
const CLI_MODULE = path.join(REPO_ROOT, "scripts/pulumi-cli");

let tmp: string;
let env: Record<string, string>;
/** What each step took and what the CLI said, printed once at the end (CI's time budget is watched). */
const notes: string[] = [];

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "cloudlock-gen-sdk-"));
  env = {
    ...(process.env as Record<string, string>),
    ...engineEnv(path.join(tmp, "state"), path.join(tmp, "home")),
  };
  fs.mkdirSync(path.join(tmp, "home"), { recursive: true });
});
afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
  if (notes.length) console.log(`gen-sdk.test.ts:\n${notes.map((n) => `  ${n}`).join("\n")}`);
});

/** Run a command; on failure, an error with everything it printed. */
async function sh(file: string, args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}) {
  const started = Date.now();
  try {
    const out = await run(file, args, { cwd: opts.cwd ?? tmp, env: opts.env ?? env, maxBuffer: 64 << 20 });
    return { ...out, seconds: (Date.now() - started) / 1000 };
  } catch (e) {
    const err = e as Error & { stdout?: string; stderr?: string };
    throw new Error(
      `${path.basename(file)} ${args.join(" ")} failed: ${err.message}\n${err.stdout}\n${err.stderr}`,
    );
  }
}

/** `pulumi package gen-sdk` for one language (the CLI takes one, or all), into <tmp>/sdk/<language>. */
async function genSdk(language: string, extraEnv: Record<string, string> = {}) {
  const cli = path.join(pulumiRoot(), "bin", "pulumi");
  const res = await sh(
    cli,
    ["package", "gen-sdk", SCHEMA, "--language", language, "--out", path.join(tmp, "sdk")],
    {
      env: { ...env, ...extraEnv },
    },
  );
  const said = res.stderr
    .trim()
    .split("\n")
    .filter((l) => l && !l.startsWith("SDK has been written"));
  notes.push(`gen-sdk ${language}: ${res.seconds.toFixed(1)} s${said.length ? ` (${said.join("; ")})` : ""}`);
  return path.join(tmp, "sdk", language);
}

/** A program using the Node.js SDK as a user would: it must type-check, and its misuses must not. */
const NODE_USAGE = `
import * as pulumi from "@pulumi/pulumi";
import * as cloudlock from "./index";

const provider = new cloudlock.Provider("p", { apiUrl: "https://tenant/api/v2", apiToken: pulumi.secret("t"), timeoutSeconds: 30 });
const hq = new cloudlock.TrustedIp("hq", { name: "HQ", ipAddress: "198.51.100.0/24", categories: ["office"] }, { provider });
const tor = new cloudlock.SuspiciousIp("tor", { name: "TOR", ipAddress: "203.0.113.7", expiresOn: "2027-01-01T00:00:00Z", adoptId: "6yj3gQxaqo" });
// @ts-expect-error trusted entries do not expire
new cloudlock.TrustedIp("x", { name: "x", ipAddress: "192.0.2.1", expiresOn: "2027-01-01T00:00:00Z" });
// @ts-expect-error ipAddress is required
new cloudlock.TrustedIp("y", { name: "y" });
const feed = new cloudlock.SuspiciousIpSet("feed", {
  mode: cloudlock.IpSetMode.Authoritative,
  entries: [{ name: "a", ipAddress: "192.0.2.9", expiresOn: "2027-01-01T00:00:00Z" }],
});
new cloudlock.TrustedIpSet("offices", { entries: [{ name: "b", ipAddress: "192.0.2.10", categories: ["office"] }] });
// @ts-expect-error a trusted set's entries do not expire
new cloudlock.TrustedIpSet("bad", { entries: [{ name: "b", ipAddress: "192.0.2.10", expiresOn: "2027-01-01T00:00:00Z" }] });
// @ts-expect-error an unknown mode
new cloudlock.TrustedIpSet("bad-mode", { mode: "exclusive", entries: [] });
export const count: pulumi.Output<number> = feed.count;
export const pks: pulumi.Output<string[]> = feed.entries.apply((m) => Object.values(m).map((e) => e.pk));
export const undeclared: pulumi.Output<Record<string, string> | undefined> = feed.removeUndeclared;
export const location: pulumi.Output<string | undefined> = hq.location;
export const expires: pulumi.Output<string | undefined> = tor.expiresOn;
export const listed = cloudlock
  .getTrustedIpsOutput({ q: "office" })
  .entries.apply((es) => es.map((e): [string, string, string[], string | undefined] => [e.pk, e.ipAddress, e.categories, e.expiresOn]));
export const created: Promise<string[]> = cloudlock.getSuspiciousIps({ name: "TOR" }).then((r) => r.entries.map((e) => e.createdOn));
export const apiUrl: string | undefined = cloudlock.config.apiUrl;
`;

/** The same in Go. */
const GO_USAGE = `package main

import (
	"${GO_IMPORT_BASE_PATH}"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

func main() {
	pulumi.Run(func(ctx *pulumi.Context) error {
		provider, err := cloudlock.NewProvider(ctx, "p", &cloudlock.ProviderArgs{
			ApiUrl: pulumi.String("https://tenant/api/v2"), ApiToken: pulumi.String("t"),
		})
		if err != nil {
			return err
		}
		hq, err := cloudlock.NewTrustedIp(ctx, "hq", &cloudlock.TrustedIpArgs{
			Name: pulumi.String("HQ"), IpAddress: pulumi.String("198.51.100.0/24"),
			Categories: pulumi.StringArray{pulumi.String("office")},
		}, pulumi.Provider(provider))
		if err != nil {
			return err
		}
		feed, err := cloudlock.NewSuspiciousIpSet(ctx, "feed", &cloudlock.SuspiciousIpSetArgs{
			Mode: cloudlock.IpSetModeAuthoritative,
			Entries: cloudlock.SuspiciousIpSetEntryArray{cloudlock.SuspiciousIpSetEntryArgs{
				Name: pulumi.String("TOR"), IpAddress: pulumi.String("203.0.113.7"),
				ExpiresOn: pulumi.String("2027-01-01T00:00:00Z"),
			}},
		})
		if err != nil {
			return err
		}
		listed, err := cloudlock.GetTrustedIps(ctx, &cloudlock.GetTrustedIpsArgs{Q: pulumi.StringRef("office")})
		if err != nil {
			return err
		}
		pks := []string{}
		for _, e := range listed.Entries {
			if e.ExpiresOn == nil {
				pks = append(pks, e.Pk)
			}
		}
		ctx.Export("location", hq.Location)
		ctx.Export("count", feed.Count)
		ctx.Export("pks", pulumi.ToStringArray(pks))
		return nil
	})
}
`;

test("Node.js: gen-sdk writes the SDK, which type-checks with a program using it", async () => {
  const dir = await genSdk("nodejs");
  const pkg = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
  expect(pkg).toMatchObject({
    name: NODEJS_PACKAGE,
    version: VERSION,
    pulumi: { resource: true, name: PACKAGE, version: VERSION },
  });
  for (const f of [
    "trustedIp.ts",
    "suspiciousIp.ts",
    "trustedIpSet.ts",
    "suspiciousIpSet.ts",
    "getTrustedIps.ts",
    "getSuspiciousIps.ts",
    "provider.ts",
  ]) {
    expect(fs.existsSync(path.join(dir, f))).toBe(true);
  }
  // The repository's own node_modules: its typescript, @types/node and @pulumi/pulumi.
  fs.symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
  fs.writeFileSync(path.join(dir, "usage.ts"), NODE_USAGE);
  const generated = JSON.parse(
    fs.readFileSync(path.join(dir, "tsconfig.json"), "utf8").replace(/^\s*\/\/.*$/gm, ""),
  );
  fs.writeFileSync(
    path.join(dir, "tsconfig.usage.json"),
    JSON.stringify({ extends: "./tsconfig.json", files: [...generated.files, "usage.ts"] }),
  );
  const tsc = path.join(REPO_ROOT, "node_modules/typescript/bin/tsc");
  const res = await sh(process.execPath, [tsc, "-p", "tsconfig.usage.json", "--noEmit"], { cwd: dir });
  notes.push(`tsc --noEmit, Node.js SDK and a program using it: ${res.seconds.toFixed(1)} s`);
});

/** Whether a command is found on PATH. */
const onPath = (name: string) =>
  (process.env.PATH ?? "").split(path.delimiter).some((d) => d && fs.existsSync(path.join(d, name)));

const hasGo = onPath("go");
const goTest = hasGo ? test : test.skip;
if (!hasGo) {
  console.warn("gen-sdk.test.ts: no `go` on PATH, so the Go SDK is neither generated nor built (CI has Go).");
}

/**
 * A codegen-only Go language host: GeneratePackage with pkg/v3/codegen/go, what the real host does for gen-sdk;
 * nothing else (no programs).
 */
const GO_HOST = `// Code generated by test/engine/gen-sdk.test.ts: a codegen-only stand-in for pulumi-language-go.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	gogen "github.com/pulumi/pulumi/pkg/v3/codegen/go"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/version"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/emptypb"
)

type host struct {
	pulumirpc.UnimplementedLanguageRuntimeServer
}

func (host) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version.Version}, nil
}

func (host) GeneratePackage(
	_ context.Context, req *pulumirpc.GeneratePackageRequest,
) (*pulumirpc.GeneratePackageResponse, error) {
	if len(req.ExtraFiles) > 0 {
		return nil, errors.New("overlays are not supported for Go")
	}
	loader, err := schema.NewLoaderClient(req.LoaderTarget)
	if err != nil {
		return nil, err
	}
	defer loader.Close()
	var spec schema.PackageSpec
	if err := json.Unmarshal([]byte(req.Schema), &spec); err != nil {
		return nil, err
	}
	pkg, diags, err := schema.BindSpec(spec, schema.NewCachedLoader(loader),
		schema.ValidationOptions{AllowDanglingReferences: true})
	if err != nil {
		return nil, err
	}
	resp := &pulumirpc.GeneratePackageResponse{Diagnostics: plugin.HclDiagnosticsToRPCDiagnostics(diags)}
	if diags.HasErrors() {
		return resp, nil
	}
	files, err := gogen.GeneratePackage("pulumi-language-go", pkg, req.LocalDependencies)
	if err != nil {
		return nil, err
	}
	for name, data := range files {
		out := filepath.Join(req.Directory, name)
		if err := os.MkdirAll(filepath.Dir(out), 0o700); err != nil {
			return nil, err
		}
		if err := os.WriteFile(out, data, 0o600); err != nil {
			return nil, err
		}
	}
	return resp, nil
}

func main() {
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Init: func(s *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(s, host{})
			return nil
		},
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(handle.Port)
	if err := <-handle.Done; err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
`;

/**
 * The folder of a `pulumi-language-go` for gen-sdk: a real one beside the CLI or on PATH, else the stand-in, built
 * once into .tools/ (again when its source or the Pulumi modules change).
 */
async function goLanguageHost(): Promise<string> {
  const name = "pulumi-language-go";
  const beside = path.join(pulumiRoot(), "bin");
  if (fs.existsSync(path.join(beside, name))) return beside;
  const found = (process.env.PATH ?? "")
    .split(path.delimiter)
    .find((d) => d && fs.existsSync(path.join(d, name)));
  if (found) return found;

  const goMod = fs.readFileSync(path.join(CLI_MODULE, "go.mod"), "utf8");
  const pulumiVersion = /github\.com\/pulumi\/pulumi\/pkg\/v3 (v\S+)/.exec(goMod)?.[1];
  if (!pulumiVersion)
    throw new Error(`${CLI_MODULE}/go.mod names no github.com/pulumi/pulumi/pkg/v3 version`);
  const hash = createHash("sha256").update(GO_HOST).update(goMod).digest("hex").slice(0, 12);
  const dir = path.join(REPO_ROOT, ".tools", "pulumi-language-go-codegen", hash);
  if (fs.existsSync(path.join(dir, name))) return dir;
  // Builds of an earlier source or Pulumi version.
  fs.rmSync(path.dirname(dir), { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "main.go"), GO_HOST);
  // The CLI wrapper's module graph, so the build reuses the modules (and compiled packages) the CLI was built from.
  fs.writeFileSync(
    path.join(dir, "go.mod"),
    goMod.replace(/^module .*$/m, "module pulumi-language-go-codegen").replace(/^tool .*$/m, ""),
  );
  fs.copyFileSync(path.join(CLI_MODULE, "go.sum"), path.join(dir, "go.sum"));
  const tmpBin = path.join(dir, `.${name}.${process.pid}`);
  const res = await sh(
    "go",
    [
      "build",
      "-o",
      tmpBin,
      "-ldflags",
      `-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=${pulumiVersion}`,
      ".",
    ],
    // -mod=mod: codegen/go needs two modules the CLI does not (golang.org/x/mod, strcase); go adds their sums.
    { cwd: dir, env: { ...env, GOFLAGS: "-mod=mod -buildvcs=false" } },
  );
  fs.renameSync(tmpBin, path.join(dir, name));
  notes.push(`built the codegen-only ${name} (pkg/v3 ${pulumiVersion}): ${res.seconds.toFixed(1)} s`);
  return dir;
}

goTest("Go: gen-sdk writes the SDK, which builds with a program using it", async () => {
  const host = await goLanguageHost();
  const dir = await genSdk("go", { PATH: `${host}${path.delimiter}${env.PATH}` });
  const modulePath = path.dirname(GO_IMPORT_BASE_PATH);
  expect(fs.readFileSync(path.join(dir, "go.mod"), "utf8")).toMatch(
    new RegExp(`^module ${modulePath}$`, "m"),
  );
  const plugin = JSON.parse(fs.readFileSync(path.join(dir, PACKAGE, "pulumi-plugin.json"), "utf8"));
  // The SDK names where the engine downloads a missing plugin: the schema's pluginDownloadURL.
  const { pluginDownloadURL } = packageSchema() as { pluginDownloadURL: string };
  expect(plugin).toEqual({ resource: true, name: PACKAGE, version: VERSION, server: pluginDownloadURL });

  fs.mkdirSync(path.join(dir, "usage"));
  fs.writeFileSync(path.join(dir, "usage", "main.go"), GO_USAGE);
  // A workspace with the CLI's wrapper module: the Pulumi Go SDK at the version the CLI is built from, and every
  // other module at the CLI's versions, so the build finds them in the module cache a CLI build filled.
  fs.writeFileSync(
    path.join(tmp, "sdk", "go.work"),
    `go ${/^go (\S+)$/m.exec(fs.readFileSync(path.join(CLI_MODULE, "go.mod"), "utf8"))![1]}\n\nuse (\n\t./go\n\t${CLI_MODULE}\n)\n`,
  );
  const res = await sh("go", ["build", "./..."], { cwd: dir, env: { ...env, GOFLAGS: "-buildvcs=false" } });
  notes.push(`go build ./..., Go SDK and a program using it: ${res.seconds.toFixed(1)} s`);
});
