import { multipartFile } from "../../provider/client/multipart";
import { parseCsv, parseTtl } from "../../provider/csv";
import { multipartPart } from "../../emulator/multipart";

describe("parseCsv", () => {
  test("quoted fields, doubled quotes, CRLF and blank lines", () => {
    expect(parseCsv('a,b,c\r\n1,"x, y","say ""hi"""\r\n\r\n2,,\n')).toEqual([
      ["a", "b", "c"],
      ["1", "x, y", 'say "hi"'],
      ["2", "", ""],
    ]);
  });
  test("a quoted field may span lines", () => expect(parseCsv('a\n"l1\nl2"\n')).toEqual([["a"], ["l1\nl2"]]));
  test("malformed quoting is an error", () => {
    expect(() => parseCsv('a,"b\n')).toThrow(/unterminated/);
    expect(() => parseCsv('a,b"c"\n')).toThrow(/unexpected quote/);
  });
});

describe("parseTtl", () => {
  test("M/D/YYYY is midnight UTC", () => expect(parseTtl("3/25/2096")).toBe("2096-03-25T00:00:00.000Z"));
  test("empty is no expiry", () => expect(parseTtl(" ")).toBeUndefined());
  test("impossible dates and other text are errors", () => {
    expect(parseTtl("2/30/2096")).toBeInstanceOf(Error);
    expect(parseTtl("tomorrow")).toBeInstanceOf(Error);
  });
});

test("multipart: what the client encodes, the emulator decodes", () => {
  const csv = "Name,Description,Type,Ip\nA,B,C,1.2.3.4\n";
  const { body, contentType } = multipartFile("file", "x.csv", csv);
  expect(multipartPart(body, contentType, "file")?.toString()).toBe(csv);
  expect(multipartPart(body, contentType, "other")).toBeUndefined();
  expect(() => multipartPart(Buffer.from("junk"), contentType, "file")).toThrow(/boundary not found/);
  expect(() => multipartPart(body, "multipart/form-data", "file")).toThrow(/without a boundary/);
});
