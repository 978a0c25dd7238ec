import { multipartFile } from "../../provider/client/multipart";
import {
  CsvImportError,
  CsvSyntaxError,
  csvEntries,
  parseCsv,
  parseTtl,
  readCsvRecords,
} from "../../common/csv";
import { parseCsv as parseCsvRecords } from "../../sdk/data";
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

/** What `f` throws; fails the test if it returns. */
function thrown(f: () => unknown): Error & { line?: number; column?: number } {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected an error");
}

describe("parseCsv: RFC 4180 through csv-parse, with Cloudlock's rules", () => {
  test('text right after a closing quote is an error, not glued on ("HQ"x)', () => {
    const err = thrown(() => parseCsv('"HQ"x,1.2.3.4\n'));
    expect(err).toBeInstanceOf(CsvSyntaxError);
    expect(err).toMatchObject({ line: 1, column: 5 });
    expect(err.message).toMatch(/^line 1, column 5: unexpected "x" after the closing quote/);
    expect(thrown(() => parseCsv('a,b\n1, "x" y\n'))).toMatchObject({ line: 2, column: 8 });
  });

  test("white space around a cell is not part of it, quoted or not; inside quotes it is kept", () => {
    expect(parseCsv('a , b\t,c\n 1 , "x" ,\t" y "\t\n')).toEqual([
      ["a", "b", "c"],
      ["1", "x", " y "],
    ]);
  });

  test("errors name the physical line and column, counting lines inside quoted cells", () => {
    const text = 'a,b\r\n"multi\r\nline",2\n\n  "x\ny", 3"\n';
    const err = thrown(() => parseCsv(text));
    expect(err).toMatchObject({ line: 6, column: 6 }); // the quote in ` 3"` on the line `y", 3"`
    expect(err.message).toMatch(/unexpected quote inside an unquoted field/);
    // An unterminated quote is named where it opens, not where the text ends.
    expect(thrown(() => parseCsv('a,b\n1,2\nx,"never\nclosed\nat all\n'))).toMatchObject({
      line: 3,
      column: 3,
    });
    // Columns count characters: an emoji before the fault is one column.
    expect(thrown(() => parseCsv('"😀é"!,x\n'))).toMatchObject({ line: 1, column: 5 });
  });

  test("a row of another width is an error naming its line", () => {
    const err = thrown(() => parseCsv("a,b\n1,2\n3,4,5\n"));
    expect(err).toMatchObject({ line: 3 });
    expect(err.message).toMatch(/this row has 3 cells, the first row \(line 1\) has 2/);
    expect(thrown(() => parseCsv("a,b\n1\n"))).toMatchObject({ line: 2 });
  });

  test("BOM, mixed line endings, blank and white-space lines, records start on their physical line", () => {
    expect(readCsvRecords('\uFEFFa,b\r\n\r\n"1\r\n2",3\n \t\r4,5\r\n""\n6,7')).toEqual([
      { line: 1, cells: ["a", "b"] },
      { line: 3, cells: ["1\r\n2", "3"] },
      { line: 6, cells: ["4", "5"] },
      { line: 8, cells: ["6", "7"] },
    ]);
    expect(parseCsv("")).toEqual([]);
    expect(parseCsv("\uFEFF\n  \n")).toEqual([]);
  });

  test("the SDK's parseCsv (records by header) reads a space before a quoted cell", () => {
    expect(parseCsvRecords('Name, "Address"\nHQ, "10.0.0.1"\n')).toEqual([
      { Name: "HQ", Address: "10.0.0.1" },
    ]);
    expect(() => parseCsvRecords("Name,Address\nHQ,10.0.0.1,extra\n")).toThrow(
      /line 2: this row has 3 cells/,
    );
  });

  test("the SDK's parseCsv keeps white space inside quotes, as documented, and drops it around cells", () => {
    expect(parseCsvRecords('a,b\n"  x  ",1\n')).toEqual([{ a: "  x  ", b: "1" }]);
    expect(parseCsvRecords('a , " b "\n 1 ,\t" y\t"\t\n')).toEqual([{ a: "1", " b ": " y\t" }]);
  });

  test("the SDK's parseCsv refuses a repeated or empty header cell, naming its line and column", () => {
    const dup = thrown(() => parseCsvRecords("\na,a\n1,2\n"));
    expect(dup).toBeInstanceOf(CsvSyntaxError);
    expect(dup).toMatchObject({ line: 2, column: 3 });
    expect(dup.message).toBe('line 2, column 3: header "a" repeats column 1: each column needs its own name');
    expect(thrown(() => parseCsvRecords('x, "a", b,  a\n1,2,3,4\n'))).toMatchObject({ line: 1, column: 13 });
    const empty = thrown(() => parseCsvRecords("a,,c\n1,2,3\n"));
    expect(empty).toBeInstanceOf(CsvSyntaxError);
    expect(empty).toMatchObject({ line: 1, column: 3 });
    expect(empty.message).toBe("line 1, column 3: header cell 2 is empty: every column needs a name");
    expect(thrown(() => parseCsvRecords('a,"multi\nline",  ""\n1,2,3\n'))).toMatchObject({
      line: 2,
      column: 9,
    });
    expect(thrown(() => parseCsvRecords("a,b,\n1,2,3\n"))).toMatchObject({ line: 1, column: 5 });
    // A header alone is no records, but its mistakes are still reported.
    expect(() => parseCsvRecords("a,a\n")).toThrow(/header "a" repeats column 1/);
    expect(parseCsvRecords("a,A\n1,2\n")).toEqual([{ a: "1", A: "2" }]);
  });
});

describe("csvEntries: Cloudlock's layouts", () => {
  const trusted = (body: string) => csvEntries("trusted", `Name,Description,Type,Ip\n${body}`);

  test("the documented examples", () => {
    const rows = csvEntries(
      "suspicious",
      "Type,Description,TTL,IP\n" +
        "Internal ELK,Jia Inc-20987,3/25/2096,192.168.1.15\n" +
        "Internal ELK,Jia Inc-20555,3/24/2096,192.168.7.5-192.168.7.10\n" +
        'SIEM,SF 00005958,,"10.136.0.11,10.45.160.1,10.152.128.155"\n',
    );
    expect(rows.map((r) => [r.line, r.fields.ip_address, r.fields.expires_on])).toEqual([
      [2, "192.168.1.15", "2096-03-25T00:00:00.000Z"],
      [3, "192.168.7.5-192.168.7.10", "2096-03-24T00:00:00.000Z"],
      [4, "10.136.0.11", null],
      [4, "10.45.160.1", null],
      [4, "10.152.128.155", null],
    ]);
    expect(rows[4].fields).toMatchObject({ name: "SIEM", description: "SF 00005958", categories: ["SIEM"] });
  });

  test("cells are trimmed around quotes too; the IP list's items are trimmed", () => {
    expect(trusted(' "HQ" , "Main office" ,Office, "10.0.0.1 , 10.0.0.2"\n')).toEqual([
      {
        line: 2,
        fields: { name: "HQ", description: "Main office", ip_address: "10.0.0.1", categories: ["Office"] },
      },
      {
        line: 2,
        fields: { name: "HQ", description: "Main office", ip_address: "10.0.0.2", categories: ["Office"] },
      },
    ]);
  });

  test('"HQ"x is an error naming line and column, and nothing is imported', () => {
    const err = thrown(() => trusted('A,b,c,10.0.0.1\n"HQ"x,d,e,1.2.3.4\n'));
    expect(err).toBeInstanceOf(CsvImportError);
    expect(err.message).toBe(
      'CSV line 3, column 5: malformed CSV: unexpected "x" after the closing quote of a quoted field: ' +
        'a quoted cell ends at its closing quote, then a comma or the line end (a quote inside it is written "")',
    );
    expect(err).toMatchObject({ line: 3, column: 5 });
  });

  test("an unquoted IP list (more cells than the header) is an error naming the line, not a dropped tail", () => {
    const err = thrown(() => trusted("A,b,c,10.0.0.1\nB,d,e,10.0.0.2,10.0.0.3\n"));
    expect(err.message).toMatch(
      /^CSV line 3: 5 cells where the header has 4 \(Name,Description,Type,Ip\); a list of IPs must be quoted/,
    );
    expect(thrown(() => trusted("A,b,10.0.0.1\n")).message).toMatch(
      /^CSV line 2: 3 cells where the header has 4/,
    );
  });

  test("a header with a column beyond the layout, or one twice, is an error", () => {
    expect(() => csvEntries("trusted", "Name,Description,Type,Ip,Owner\nA,b,c,10.0.0.1,me\n")).toThrow(
      /^CSV line 1: CSV header for the trusted library must have columns Name,Description,Type,Ip only; unexpected "Owner"$/,
    );
    expect(() => csvEntries("suspicious", "Type,Description,TTL,IP,ip\nA,b,,10.0.0.1,x\n")).toThrow(
      /unexpected "ip"/,
    );
    // Order and case are free, as before.
    expect(csvEntries("trusted", "ip,TYPE,name,Description\n10.0.0.1,t,n,d\n")[0].fields).toMatchObject({
      name: "n",
      ip_address: "10.0.0.1",
      categories: ["t"],
    });
  });

  test("lines are physical lines: a row after a multi-line description is named by where it starts", () => {
    const text = 'A,"two\nlines",c,10.0.0.1\n\nB,d,e,\n';
    expect(trusted(text.replace("B,d,e,", "B,d,e,10.0.0.2")).map((e) => e.line)).toEqual([2, 5]);
    expect(thrown(() => trusted(text))).toMatchObject({
      line: 5,
      message: "CSV line 5: the IP cell is empty",
    });
    const bad = thrown(() =>
      csvEntries("suspicious", 'Type,Description,TTL,IP\nX,"a\r\nb",2/30/2096,1.2.3.4\n'),
    );
    expect(bad.message).toBe('CSV line 2: TTL "2/30/2096" is not a real date');
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
