import { spawn } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { main } from '../../src/cli/main.js';

/** The repository root. */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Output of one CLI run. */
export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Options of {@link runProcess} and {@link runCli}. */
export interface RunOptions {
  readonly input?: string;
  /** Added to a minimal environment (PATH and HOME of this process). */
  readonly env?: Record<string, string>;
}

/** Runs `command args` in the repository root with a minimal environment and collects its output. */
export function runProcess(command: string, args: readonly string[], options: RunOptions = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: ROOT,
      env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '/tmp', ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}

/** Runs `bin/llm-deploy.js` as a child process, the way users run it. */
export function runCli(args: readonly string[], options: RunOptions = {}): Promise<CliRun> {
  // '--' as in the bin's shebang: Node 20 otherwise checks a user's `--env-file F` as its own option.
  return runProcess(process.execPath, ['--', 'bin/llm-deploy.js', ...args], options);
}

/** Runs the CLI in this process (the command code is the same; no start-up cost), with `env` as its whole environment. */
export async function runMain(
  args: readonly string[],
  input = '',
  env: Readonly<Record<string, string>> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const stdin = new PassThrough();
  stdin.end(input);
  const code = await main(['node', 'llm-deploy', ...args], { stdin, stdout, stderr, env });
  return { code, stdout: out, stderr: err };
}
