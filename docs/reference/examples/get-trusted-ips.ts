import * as cloudlock from "pulumi-cloudlock";

// Every trusted entry whose name, location, address or categories contain "office": e.g. to find a pk to adopt.
export const officePks = cloudlock.getTrustedIps({ q: "office" }).then((entries) => entries.map((e) => e.pk));
