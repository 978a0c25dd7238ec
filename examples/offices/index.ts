/**
 * Office egress IPs kept as data in the repo (offices.yaml): one TrustedIp
 * per entry. The file has the shape `cloudlock-pulumi import --format yaml`
 * writes, so an adopted library drops straight in.
 */
import * as path from "path";
import { TrustedIp, declareLibrary, readLibraryFile } from "pulumi-cloudlock";

/** Declare one TrustedIp per entry of the data file (YAML or JSON). */
export function offices(file = path.join(__dirname, "offices.yaml")): TrustedIp[] {
  return declareLibrary(readLibraryFile(file)).trusted;
}
