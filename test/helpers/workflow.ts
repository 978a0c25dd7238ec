/** The shape of the example GitHub workflows (examples/ci) as the tests read them. */
export type Step = {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  "continue-on-error"?: boolean;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
};
export type Job = { if?: string; environment?: string; env?: Record<string, string>; steps: Step[] };
export type Workflow = {
  on: Record<string, Record<string, unknown> | null>;
  permissions?: Record<string, string> | string;
  concurrency?: { group: string; "cancel-in-progress"?: boolean };
  env?: Record<string, string>;
  jobs: Record<string, Job>;
};
