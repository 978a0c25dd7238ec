/**
 * Office egress IPs kept as data (offices.yaml, beside this program): one
 * TrustedIp per entry. The file has the shape `cloudlock-pulumi import
 * --format yaml` writes, so an adopted library drops straight in.
 */
import * as path from "path";
import * as cloudlock from "pulumi-cloudlock";

const offices = cloudlock.declareLibrary(
  cloudlock.readLibraryFile(path.join(__dirname, "offices.yaml")),
).trusted;

/** The pks Cloudlock gave the entries. */
export const trustedIds = offices.map((t) => t.id);
