import { main } from "../../cli/main";

/** What a `cloudlock-pulumi` run printed and its exit code. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `cloudlock-pulumi <args>` in-process, as the bin does, with stdin when given and no environment. */
export async function runCli(
  args: string[],
  opts: { stdin?: string; stdinTty?: boolean; env?: NodeJS.ProcessEnv } = {},
): Promise<CliRun> {
  let stdout = "";
  let stderr = "";
  const code = await main(args, {
    stdout: (s) => (stdout += s),
    stderr: (s) => (stderr += s),
    env: opts.env ?? {},
    tty: false,
    stdinTty: opts.stdinTty ?? false,
    readStdin: opts.stdin === undefined ? undefined : async () => opts.stdin!,
  });
  return { code, stdout, stderr };
}
