import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The CLI's entry point, as `npx spottune` runs it. */
export const CLI_BIN = fileURLToPath(new URL('../../apps/cli/bin/spottune.js', import.meta.url));

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the real CLI binary with exactly `env` (callers spread process.env themselves when they want
 * it) and collects its output. `npx`: through `npx --no-install spottune`, the bin link a user runs.
 */
export function runCli(
  args: string[],
  env: NodeJS.ProcessEnv,
  options: { npx?: boolean; cwd?: string } = {},
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const [command, argv] = options.npx
      ? ['npx', ['--no-install', 'spottune', ...args]]
      : [process.execPath, [CLI_BIN, ...args]];
    const child = spawn(command, argv, { env, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}
