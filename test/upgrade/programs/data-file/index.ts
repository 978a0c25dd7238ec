/** Upgrade fixture (written against v0.1.0's API): a library data file, one resource per record. */
import * as path from "path";
import * as cloudlock from "pulumi-cloudlock";

const library = cloudlock.declareLibrary(cloudlock.readLibraryFile(path.join(__dirname, "library.yaml")));

export const trustedIds = library.trusted.map((t) => t.id);
export const suspiciousIds = library.suspicious.map((s) => s.id);
