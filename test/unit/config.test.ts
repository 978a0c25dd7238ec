import {
  type Connection,
  connectionOf,
  isConnection,
  normaliseApiUrl,
  resolveConnection,
  sameApiUrl,
} from "../../provider/client/config";
import { CloudlockClient } from "../../provider/client/client";
import { clientOptions, readSettings, resolveSettings } from "../../provider/settings";
import { isConfigError } from "../../provider/client/errors";
import { VERSION } from "../../provider/version";

const thrown = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error("did not throw");
};

describe("resolveConnection", () => {
  test("explicit values win over the environment", () => {
    const env = { CLOUDLOCK_API_URL: "https://env.example/api/v2", CLOUDLOCK_API_TOKEN: "env-token" };
    const given = resolveConnection({ apiUrl: "https://x.example/api/v2/", apiToken: "t" }, env);
    expect([given.apiUrl, given.apiToken]).toEqual(["https://x.example/api/v2", "t"]);
    const fromEnv = resolveConnection({}, env);
    expect([fromEnv.apiUrl, fromEnv.apiToken]).toEqual(["https://env.example/api/v2", "env-token"]);
  });

  test("a bare client's missing URL and token name the ways a client offers: its options and the environment", () => {
    try {
      resolveConnection({}, {});
      throw new Error("expected an error");
    } catch (e) {
      expect(isConfigError(e)).toBe(true);
      expect((e as Error).message).toBe(
        "The Cloudlock API URL is not set: set the option apiUrl, or set the environment variable CLOUDLOCK_API_URL; " +
          "and the Cloudlock API token is not set: set the option apiToken, or set the environment variable " +
          "CLOUDLOCK_API_TOKEN",
      );
      // A client is not a Pulumi program: stack config would not reach it.
      expect((e as Error).message).not.toMatch(/stack config|pulumi config/);
    }
    expect(() => resolveConnection({ apiUrl: "https://x/api/v2" }, {})).toThrow(/token is not set/);
    expect(() => resolveConnection({ apiToken: "t" }, {})).toThrow(/URL is not set/);
  });

  test("a bare client's bad URL is named where it was read, with that place's fix; an option that is not text is refused", () => {
    expect(
      thrown(() => resolveConnection({}, { CLOUDLOCK_API_URL: "ftp://x/api/v2", CLOUDLOCK_API_TOKEN: "t" })),
    ).toBe(
      'CLOUDLOCK_API_URL: Cloudlock API URL "ftp://x/api/v2" must use https. Correct the environment variable CLOUDLOCK_API_URL: no request was sent to Cloudlock.',
    );
    expect(thrown(() => resolveConnection({ apiUrl: "https://u:pw@x/api/v2", apiToken: "t" }, {}))).toBe(
      'apiUrl: Cloudlock API URL "https://***@x/api/v2" must not contain credentials; set the token separately. ' +
        "Correct the option apiUrl: no request was sent to Cloudlock.",
    );
    expect(thrown(() => resolveConnection({ apiUrl: 5 as never, apiToken: "t" }, {}))).toBe(
      "the option apiUrl must be a string, got number. Pass apiUrl as text.",
    );
  });

  test("a connection read and checked once is taken as it is: the client does not read the environment again", () => {
    const env = { CLOUDLOCK_API_URL: "https://env.example/api/v2", CLOUDLOCK_API_TOKEN: "env-token" };
    const read = readSettings(undefined, {
      CLOUDLOCK_API_URL: "HTTPS://Tenant.Example:443/api/v2/",
      CLOUDLOCK_API_TOKEN: "t",
    });
    const client = new CloudlockClient({ ...clientOptions(read, { config: true }), env });
    expect(client.apiUrl).toBe("https://tenant.example/api/v2");
    // Only a connection made by connectionOf is taken unchecked; a look-alike object is not.
    const fake = { apiUrl: "http://203.0.113.9/api/v2", apiToken: "t" } as unknown as Connection;
    expect(isConnection(fake)).toBe(false);
    expect(() => new CloudlockClient({ connection: fake, env: {} })).toThrow(/URL is not set/);
    // The token never shows when a connection is printed.
    expect(
      JSON.stringify(connectionOf({ apiUrl: "https://x/api/v2", apiToken: "secret-t" }, {})),
    ).not.toContain("secret-t");
  });

  test("settings record where each value was read, by kind, and parse explicit values like any other", () => {
    const { sources } = readSettings(
      { get: (k) => (k === "cloudlock:apiUrl" ? "https://c.example/api/v2" : undefined) },
      { CLOUDLOCK_API_TOKEN: "t", CLOUDLOCK_TIMEOUT_SECONDS: "5" },
      { maxRequestsPerSecond: 3, option: "connection." },
    );
    expect(sources.apiUrl).toMatchObject({ kind: "config", from: 'stack config "cloudlock:apiUrl"' });
    expect(sources.apiToken).toMatchObject({
      kind: "env",
      from: "the environment variable CLOUDLOCK_API_TOKEN",
    });
    expect(sources.maxRequestsPerSecond).toEqual({
      kind: "option",
      from: "the option connection.maxRequestsPerSecond",
    });
    expect(sources.adoptIdentical).toBeUndefined();
    expect(
      thrown(() => resolveSettings(undefined, {}, { apiUrl: "ftp://x/api/v2", option: "connection." })),
    ).toMatch(/^connection\.apiUrl: .*must use https.*Correct the option connection\.apiUrl/s);
  });

  test.each([
    "http://127.0.0.1:8080/api/v2",
    "http://localhost:1/api/v2",
    "http://[::1]:9/api/v2",
    "https://a.example/api/v2",
  ])("%s is allowed", (apiUrl) =>
    expect(resolveConnection({ apiUrl, apiToken: "t" }, {}).apiUrl).toBe(apiUrl),
  );

  test.each([
    ["http://tenant.cloudlock.com/api/v2", /plain http to a non-loopback host/],
    ["http://10.0.0.5/api/v2", /plain http/],
    ["ftp://x/api/v2", /must use https/],
    ["not a url", /not a valid URL/],
    ["https://user:pw@x/api/v2", /must not contain credentials/],
    ["https://x/api/v2?a=1", /query/],
  ])("%s is refused", (apiUrl, msg) =>
    expect(() => resolveConnection({ apiUrl, apiToken: "t" }, {})).toThrow(msg),
  );
});

describe("the API URL has one normal form", () => {
  const FORM = "https://tenant.example.com/api/v2";
  test.each([
    "https://tenant.example.com/api/v2",
    "https://Tenant.Example.COM/api/v2",
    "HTTPS://tenant.example.com/api/v2",
    "https://tenant.example.com:443/api/v2",
    "https://tenant.example.com/api/v2/",
    "https://tenant.example.com/api/v2///",
    "  https://tenant.example.com:443/api/v2/  ",
  ])("%s is the tenant's URL in its normal form", (spelling) => {
    expect(normaliseApiUrl(spelling)).toBe(FORM);
    expect(normaliseApiUrl(normaliseApiUrl(spelling))).toBe(FORM);
    expect(sameApiUrl(spelling, FORM)).toBe(true);
  });

  test.each([
    "https://tenant.example.com/API/v2",
    "https://tenant.example.com:8443/api/v2",
    "https://other.example.com/api/v2",
  ])("%s is another URL", (other) => expect(sameApiUrl(other, FORM)).toBe(false));

  test("plain http keeps its default port rule: :80 is dropped, the emulator's port is kept", () => {
    expect(normaliseApiUrl("http://LOCALHOST:80/api/v2/")).toBe("http://localhost/api/v2");
    expect(normaliseApiUrl("http://127.0.0.1:8080/api/v2")).toBe("http://127.0.0.1:8080/api/v2");
  });

  test("every reader takes that form: stack config, the environment and the bare client alike", () => {
    const spelled = "https://Tenant.example.com:443/api/v2/";
    expect(resolveSettings({ get: (k) => (k === "cloudlock:apiUrl" ? spelled : undefined) }, {}).apiUrl).toBe(
      FORM,
    );
    expect(resolveSettings(undefined, { CLOUDLOCK_API_URL: spelled }).apiUrl).toBe(FORM);
    expect(resolveConnection({ apiUrl: spelled, apiToken: "t" }, {}).apiUrl).toBe(FORM);
  });

  test("a URL the client must not call is refused where it was read, before any request", () => {
    expect(() => resolveSettings({ get: () => "ftp://tenant.example.com/api/v2" }, {})).toThrow(
      /^cloudlock:apiUrl: Cloudlock API URL "ftp:\/\/tenant.example.com\/api\/v2" must use https/,
    );
    expect(() =>
      resolveSettings(undefined, { CLOUDLOCK_API_URL: "http://tenant.example.com/api/v2" }),
    ).toThrow(/^CLOUDLOCK_API_URL: .*plain http to a non-loopback host/);
  });
});

test("VERSION matches package.json", () => {
  expect(VERSION).toBe(require("../../package.json").version);
});

describe("a URL the client must not call: refused once, masked, with the fix of where it was read", () => {
  test.each([
    "https://t.example.com/api/v2?",
    "https://t.example.com/api/v2#",
    "https://t.example.com/api/v2/?#",
  ])("%s: a query or fragment marker, however empty, is refused before any request", (apiUrl) => {
    expect(() => normaliseApiUrl(apiUrl)).toThrow(/must not contain a query or fragment/);
    expect(() => resolveConnection({ apiUrl, apiToken: "t" }, {})).toThrow(/query or fragment/);
  });

  test.each([
    ["http://user:pw-SECRET@10.0.0.5/api/v2", "http://***@10.0.0.5/api/v2"],
    ["https://user:pw-SECRET@t.example.com/api/v2", "https://***@t.example.com/api/v2"],
    ["https://t.example.com/api/v2?token=SECRET", "https://t.example.com/api/v2?…"],
    ["http://t.example.com/api/v2?token=SECRET", "http://t.example.com/api/v2?…"],
    ["https://t.example.com/api/v2#SECRET", "https://t.example.com/api/v2#…"],
    ["https://us er:pw/SECRET@t.example.com/api/v2", "https://***@t.example.com/api/v2"],
    ["ftp://u:SECRET@t.example.com/api/v2", "ftp://***@t.example.com/api/v2"],
  ])("%s is shown as %s, never its secret", (raw, shown) => {
    let message = "";
    try {
      resolveSettings({ get: (k) => (k === "cloudlock:apiUrl" ? raw : undefined) }, {});
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain(`"${shown}"`);
    expect(message).not.toMatch(/SECRET|user|pw/);
  });

  const once = (text: string, sentence: string) => expect(text.split(sentence).length - 1).toBe(1);

  test("stack config: the fix names the key and how to set it, once", () => {
    const text = thrown(() => resolveSettings({ get: () => "https://t.example.com/api/v2?" }, {}));
    expect(text).toBe(
      'cloudlock:apiUrl: Cloudlock API URL "https://t.example.com/api/v2?" must not contain a query or fragment ' +
        '(a "?" or "#"). Correct stack config "cloudlock:apiUrl" (pulumi config set cloudlock:apiUrl ' +
        "https://<server>/api/v2): no request was sent to Cloudlock.",
    );
    expect(text).not.toMatch(/…|cloudlock:…|CLOUDLOCK_…/);
  });

  test("the environment: the fix names the variable, once", () => {
    const text = thrown(() =>
      resolveSettings(undefined, { CLOUDLOCK_API_URL: "ftp://t.example.com/api/v2" }),
    );
    once(text, "no request was sent to Cloudlock");
    expect(text).toMatch(
      /^CLOUDLOCK_API_URL: .*must use https\. Correct the environment variable CLOUDLOCK_API_URL: /,
    );
  });

  test("a source that says where it is set (a provider's property): the fix names that place", () => {
    const text = thrown(() =>
      resolveSettings(
        { get: () => "0", describe: () => ({ from: 'the timeoutSeconds of provider "p"' }) },
        {},
      ),
    );
    expect(text).toMatch(/Correct the timeoutSeconds of provider "p": no request was sent to Cloudlock\.$/);
    expect(text).not.toMatch(/cloudlock:…/);
  });
});
