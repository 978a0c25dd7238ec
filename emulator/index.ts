export { Emulator, CONTROL_PREFIX } from "./server";
export type { EmulatorOptions, TokenSpec, LoggedRequest, RequestCounters, LibraryDump } from "./server";
export { DEFAULT_KNOBS, PROFILES, PROFILE_NAMES } from "./knobs";
export type { Knobs, ProfileName } from "./knobs";
export { MemoryStore } from "./store";
export type { Store } from "./store";
export { parseCsv, parseTtl } from "../common/csv";
