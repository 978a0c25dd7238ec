import * as cloudlock from "pulumi-cloudlock";

// The dynamic SDK has no provider resource: every resource and lookup of the program reads the stack's config,
// then the environment.
//   pulumi config set cloudlock:apiUrl https://<server>/api/v2
//   pulumi config set --secret cloudlock:apiToken <token>
//   pulumi config set cloudlock:maxRequestsPerSecond 20
new cloudlock.TrustedIp("branch", { name: "Branch office", ipAddress: "192.0.2.20" });
