import { randomBytes } from "crypto";

/** Encode one file field as multipart/form-data (the CSV import takes nothing else). */
export function multipartFile(
  field: string,
  filename: string,
  content: string | Buffer,
  contentType = "text/csv",
): { body: Buffer; contentType: string } {
  const boundary = `----pulumi-cloudlock-${randomBytes(12).toString("hex")}`;
  const safeName = filename.replace(/["\r\n]/g, "_");
  const head =
    `--${boundary}\r\n` +
    `Content-Disposition: form-data; name="${field}"; filename="${safeName}"\r\n` +
    `Content-Type: ${contentType}\r\n\r\n`;
  const body = Buffer.concat([
    Buffer.from(head, "utf8"),
    Buffer.isBuffer(content) ? content : Buffer.from(content, "utf8"),
    Buffer.from(`\r\n--${boundary}--\r\n`, "utf8"),
  ]);
  return { body, contentType: `multipart/form-data; boundary=${boundary}` };
}
