// `llm-deploy serve` as a child process, the way users run it: started, its URL read from the first log line
// that has one, polled until /health/ready answers 200, stopped with SIGTERM.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

/** A started serve process. */
export interface ServeChild {
  readonly child: ChildProcessWithoutNullStreams;
  /** Its stdout and stderr so far, for assertion messages. */
  output(): string;
  /** Resolves to the URL it listens on; rejects when it exits first. */
  readonly url: Promise<string>;
  /** Polls /health/ready every 100 ms up to `tries` times; resolves to the last status. */
  waitReady(tries: number): Promise<number>;
  /** SIGTERM, then waits for the exit. */
  stop(): Promise<void>;
}

/** Starts `bin/llm-deploy.js serve ARGS` with this process's environment plus `env`. */
export function startServeChild(args: readonly string[], env: Readonly<Record<string, string>>): ServeChild {
  const child = spawn(process.execPath, ['bin/llm-deploy.js', 'serve', ...args], {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  child.stdin.end();
  let output = '';
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      output += `${line}\n`;
      const entry: unknown = JSON.parse(line);
      if (typeof entry === 'object' && entry !== null && 'url' in entry && typeof entry.url === 'string') resolve(entry.url);
    });
    child.once('exit', (code) => reject(new Error(`serve exited early (${code}): ${output}`)));
  });
  return {
    child,
    output: () => output,
    url,
    async waitReady(tries) {
      const base = await url;
      let status = 0;
      for (let attempt = 0; attempt < tries && status !== 200; attempt += 1) {
        status = (await fetch(`${base}/health/ready`)).status;
        if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      return status;
    },
    async stop() {
      child.kill('SIGTERM');
      if (child.exitCode === null) await once(child, 'exit');
    },
  };
}
