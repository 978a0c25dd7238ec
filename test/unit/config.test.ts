import { resolveConnection } from "../../provider/client/config";
import { isConfigError } from "../../provider/client/errors";
import { VERSION } from "../../provider/version";

describe("resolveConnection", () => {
  test("explicit values win over the environment", () => {
    const env = { CLOUDLOCK_API_URL: "https://env.example/api/v2", CLOUDLOCK_API_TOKEN: "env-token" };
    expect(resolveConnection({ apiUrl: "https://x.example/api/v2/", apiToken: "t" }, env)).toEqual({
      apiUrl: "https://x.example/api/v2",
      apiToken: "t",
    });
    expect(resolveConnection({}, env)).toEqual({
      apiUrl: "https://env.example/api/v2",
      apiToken: "env-token",
    });
  });

  test("missing URL and token name every way to set them", () => {
    try {
      resolveConnection({}, {});
      throw new Error("expected an error");
    } catch (e) {
      expect(isConfigError(e)).toBe(true);
      const msg = (e as Error).message;
      for (const s of [
        "cloudlock:apiUrl",
        "CLOUDLOCK_API_URL",
        "cloudlock:apiToken",
        "CLOUDLOCK_API_TOKEN",
        "--secret",
      ]) {
        expect(msg).toContain(s);
      }
    }
    expect(() => resolveConnection({ apiUrl: "https://x/api/v2" }, {})).toThrow(/token is not set/);
    expect(() => resolveConnection({ apiToken: "t" }, {})).toThrow(/URL is not set/);
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

test("VERSION matches package.json", () => {
  expect(VERSION).toBe(require("../../package.json").version);
});
