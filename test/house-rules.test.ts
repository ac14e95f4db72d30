// House rules from the style guide, checked on every run so review does not rely on memory.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SRC = join(ROOT, 'src');
/** Modules from the top of the dependency order to the bottom; each may import only those after it. */
const LAYERS = ['cli', 'deploy', 'convert', 'server', 'engine', 'protocol', 'tokenizer', 'model', 'storage', 'config'];
/** Third-party SDKs and the one file (or folder) allowed to import each. */
const SDK_OWNERS: Record<string, string> = {
  'onnxruntime-node': 'src/engine/session/ort.ts',
  'onnx-proto': 'src/engine/graph/proto.ts',
  '@kubernetes/client-node': 'src/deploy/kube/client.ts',
  '@google-cloud/storage': 'src/storage/gcs.ts',
  '@google-cloud/container': 'src/deploy/gke/client.ts',
  fastify: 'src/server/',
  'prom-client': 'src/server/',
  commander: 'src/cli/',
};

/** The process entry point hands the environment to the config loader; nothing else reads it. */
const PROCESS_BOUNDARY = ['src/cli/main.ts'];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|tsx)$/.test(entry) ? [path] : [];
  });
}

const files = sourceFiles(SRC).map((path) => ({ path, rel: relative(ROOT, path), text: readFileSync(path, 'utf8') }));
const productionFiles = files.filter((file) => !file.rel.endsWith('.test.ts'));

function importsOf(text: string): string[] {
  const found: string[] = [];
  for (const match of text.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+'([^']+)'/gms)) found.push(match[1] ?? '');
  for (const match of text.matchAll(/import\(\s*'([^']+)'\s*\)/g)) found.push(match[1] ?? '');
  return found;
}

function moduleOf(path: string): string {
  return relative(SRC, path).split('/')[0] ?? '';
}

describe('house rules', () => {
  it('src/ holds only the capability folders', () => {
    const unexpected = readdirSync(SRC).filter((entry) => !LAYERS.includes(entry));
    assert.deepEqual(unexpected, []);
  });

  it('imports point downwards and enter other modules only through their index.ts', () => {
    const violations: string[] = [];
    for (const file of files) {
      const own = moduleOf(file.path);
      for (const specifier of importsOf(file.text)) {
        if (!specifier.startsWith('.')) continue;
        const target = resolve(dirname(file.path), specifier);
        if (!target.startsWith(SRC)) continue;
        const targetModule = moduleOf(target);
        if (targetModule === own) {
          if (basename(target) === 'index.js' && dirname(target) === join(SRC, own))
            violations.push(`${file.rel}: imports its own module's index`);
          continue;
        }
        if (LAYERS.indexOf(targetModule) < LAYERS.indexOf(own))
          violations.push(`${file.rel}: ${own} must not import ${targetModule} (upward)`);
        if (relative(join(SRC, targetModule), target) !== 'index.js')
          violations.push(`${file.rel}: imports ${specifier}; use ../${targetModule}/index.js`);
      }
    }
    assert.deepEqual(violations, []);
  });

  it('each third-party SDK is imported from one place', () => {
    const violations: string[] = [];
    for (const file of productionFiles) {
      for (const specifier of importsOf(file.text)) {
        const sdk = Object.keys(SDK_OWNERS).find((name) => specifier === name || specifier.startsWith(`${name}/`));
        const owner = sdk === undefined ? undefined : SDK_OWNERS[sdk];
        if (owner !== undefined && !(owner.endsWith('/') ? file.rel.startsWith(owner) : file.rel === owner)) {
          violations.push(`${file.rel} imports ${specifier} (only ${owner} may)`);
        }
      }
    }
    assert.deepEqual(violations, []);
  });

  it('file names are kebab-case', () => {
    const bad = files.map((file) => basename(file.path)).filter((name) => !/^[a-z0-9-]+(\.test)?\.tsx?$/.test(name));
    assert.deepEqual(bad, []);
  });

  it('no file passes 800 lines, and files past 400 say why in their header', () => {
    const violations: string[] = [];
    for (const file of files) {
      const lines = file.text.split('\n').length;
      if (lines > 800) violations.push(`${file.rel}: ${lines} lines (split it)`);
      else if (lines > 400 && !/^\/\/|^\/\*/.test(file.text.trimStart()))
        violations.push(`${file.rel}: ${lines} lines without a header comment saying why`);
    }
    assert.deepEqual(violations, []);
  });

  it('no `any`, no bare `throw new Error(`, no process.env outside src/config', () => {
    const violations: string[] = [];
    for (const file of productionFiles) {
      file.text.split('\n').forEach((line, index) => {
        if (/^\s*(\/\/|\*|\/\*)/.test(line)) return;
        const where = `${file.rel}:${index + 1}`;
        if (/:\s*any\b|\bas any\b|<any>/.test(line)) violations.push(`${where}: any`);
        if (/throw new Error\(/.test(line) && !/impossible|unreachable|assert/i.test(line))
          violations.push(`${where}: throw new Error (use LlmDeployError)`);
        if (/process\.env\b/.test(line) && !file.rel.startsWith('src/config/') && !PROCESS_BOUNDARY.includes(file.rel))
          violations.push(`${where}: process.env outside src/config`);
        if (/\.message\.(includes|startsWith|match)\(|\.message ===? ['"`]/.test(line))
          violations.push(`${where}: control flow on an error message`);
      });
    }
    assert.deepEqual(violations, []);
  });

  it('index.ts files list their exports by name', () => {
    const bad = files.filter((file) => basename(file.path) === 'index.ts' && /export \* from/.test(file.text)).map((file) => file.rel);
    assert.deepEqual(bad, []);
  });
});
