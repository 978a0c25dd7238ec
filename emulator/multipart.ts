/** Extract one named part of a multipart/form-data body; undefined when absent. Throws on a malformed body. */
export function multipartPart(body: Buffer, contentType: string, field: string): Buffer | undefined {
  const m = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  if (!m) throw new Error("multipart body without a boundary");
  const boundary = Buffer.from(`--${(m[1] ?? m[2]).trim()}`);
  let pos = body.indexOf(boundary);
  if (pos < 0) throw new Error("multipart boundary not found in body");
  for (;;) {
    pos += boundary.length;
    if (body.subarray(pos, pos + 2).toString() === "--") return undefined; // closing boundary
    const headEnd = body.indexOf("\r\n\r\n", pos);
    if (headEnd < 0) throw new Error("multipart part without headers");
    const head = body.subarray(pos, headEnd).toString("utf8");
    const next = body.indexOf(boundary, headEnd + 4);
    if (next < 0) throw new Error("multipart body not terminated");
    // Content runs up to the CRLF that precedes the next boundary.
    const content = body.subarray(headEnd + 4, next - 2);
    const name = /name="([^"]*)"/i.exec(head)?.[1];
    if (name === field) return content;
    pos = next;
  }
}
