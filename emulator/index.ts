export { Emulator, CONTROL_PREFIX } from "./server";
export type { EmulatorOptions, TokenSpec, LoggedRequest, RequestCounters } from "./server";
export { DEFAULT_KNOBS } from "./knobs";
export type { Knobs } from "./knobs";
export { MemoryStore } from "./store";
export type { Store } from "./store";
export { parseCsv, parseTtl } from "../provider/csv";
