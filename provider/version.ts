/** Package version, sent in the User-Agent. A unit test keeps it equal to package.json. */
export const VERSION = "0.2.0";
