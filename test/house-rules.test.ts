// House rules from the style guide, checked on every run so review does not rely on memory.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { LONG_FUNCTIONS } from './long-functions.js';

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
  '@google-cloud/resource-manager': 'src/deploy/iam/project-number.ts',
  fastify: 'src/server/',
  'prom-client': 'src/server/',
  commander: 'src/cli/',
  '@huggingface/jinja': 'src/tokenizer/chat/chat-template.ts',
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

interface SourceFile {
  readonly rel: string;
  readonly text: string;
}

const parsedFiles = new Map<string, ts.SourceFile>();

function parsed(file: SourceFile): ts.SourceFile {
  const key = `${file.rel}\n${file.text}`;
  const source = parsedFiles.get(key) ?? ts.createSourceFile(file.rel, file.text, ts.ScriptTarget.Latest, true);
  parsedFiles.set(key, source);
  return source;
}

/**
 * Relative imports that load a module at run time. `import type` / `export type` are erased; under
 * verbatimModuleSyntax `import { type A }` still loads its module
 * (https://www.typescriptlang.org/tsconfig/verbatimModuleSyntax.html). `import()` runs later, so it cannot
 * take part in a cycle at start-up.
 */
function runtimeImports(file: SourceFile): string[] {
  const source = parsed(file);
  const found: string[] = [];
  for (const statement of source.statements) {
    const typeOnly = ts.isImportDeclaration(statement)
      ? statement.importClause?.isTypeOnly === true
      : ts.isExportDeclaration(statement) && statement.isTypeOnly;
    const specifier = ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement) ? statement.moduleSpecifier : undefined;
    if (!typeOnly && specifier !== undefined && ts.isStringLiteral(specifier) && specifier.text.startsWith('.')) {
      found.push(join(dirname(file.rel), specifier.text).replace(/\.js$/, '.ts'));
    }
  }
  return found;
}

/** Each import cycle among `sources` as a path `a.ts -> b.ts -> a.ts`, found once. */
export function importCycles(sources: readonly SourceFile[]): string[] {
  const known = new Set(sources.map((file) => file.rel));
  const edges = new Map(sources.map((file) => [file.rel, runtimeImports(file).filter((target) => known.has(target))]));
  const cycles = new Set<string>();
  const done = new Set<string>();
  const visit = (node: string, stack: string[]): void => {
    const open = stack.indexOf(node);
    if (open !== -1) {
      const loop = stack.slice(open);
      const first = loop.indexOf([...loop].sort()[0] ?? node);
      const rotated = [...loop.slice(first), ...loop.slice(0, first)];
      cycles.add([...rotated, rotated[0]].join(' -> '));
      return;
    }
    if (done.has(node)) return;
    for (const target of edges.get(node) ?? []) visit(target, [...stack, node]);
    done.add(node);
  };
  for (const file of sources) visit(file.rel, []);
  return [...cycles].sort();
}

/** The name a function is reported and allow-listed by: its own, its variable's or property's, `Class.method`. */
function functionName(node: ts.SignatureDeclaration): string {
  const parent = node.parent;
  const own = node.name !== undefined && !ts.isComputedPropertyName(node.name) ? node.name.getText() : undefined;
  const named =
    own ??
    (ts.isConstructorDeclaration(node) ? 'constructor' : undefined) ??
    (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent)
      ? parent.name.getText()
      : undefined);
  const owner = ts.isClassLike(parent) || ts.isPropertyDeclaration(parent) ? (ts.isClassLike(parent) ? parent : parent.parent) : undefined;
  const className = owner !== undefined && ts.isClassLike(owner) && owner.name !== undefined ? `${owner.name.text}.` : '';
  return `${className}${named ?? `<anonymous at line ${node.getSourceFile().getLineAndCharacterOfPosition(node.getStart()).line + 1}>`}`;
}

/** Functions with a body longer than `maxLines` lines, as `file: name (N lines)` keyed by `file: name`. */
export function longFunctions(sources: readonly SourceFile[], maxLines: number): Map<string, number> {
  const found = new Map<string, number>();
  for (const file of sources) {
    const source = parsed(file);
    const visit = (node: ts.Node): void => {
      if (ts.isFunctionLike(node) && 'body' in node && node.body !== undefined) {
        const lines =
          source.getLineAndCharacterOfPosition(node.getEnd()).line - source.getLineAndCharacterOfPosition(node.getStart()).line + 1;
        if (lines > maxLines) found.set(`${file.rel}: ${functionName(node)}`, lines);
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return found;
}

/** The header comment says why a long file is long: a sentence starting "Long because" with a reason of 4+ words. */
export function saysWhyLong(text: string): boolean {
  const header = /^(?:\s*(?:\/\/[^\n]*|\/\*[\s\S]*?\*\/))+/.exec(text)?.[0] ?? '';
  return /\bLong because(?:\s+[^\s.]+){4,}/.test(header.replace(/^\s*(?:\/\/|\/?\*+\/?)/gm, ' '));
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

  it('no file passes 800 lines, and files past 400 say why in their header ("Long because ...")', () => {
    const violations: string[] = [];
    for (const file of files) {
      const lines = file.text.split('\n').length;
      if (lines > 800) violations.push(`${file.rel}: ${lines} lines (split it)`);
      else if (lines > 400 && !saysWhyLong(file.text))
        violations.push(`${file.rel}: ${lines} lines; its header comment needs a sentence "Long because <reason>"`);
    }
    assert.deepEqual(violations, []);
  });

  it('the header rule wants a reason, not just a comment', () => {
    assert.equal(saysWhyLong('// Settings table.\nexport {};'), false);
    assert.equal(saysWhyLong('// Long because.\nexport {};'), false);
    assert.equal(saysWhyLong('export {};\n// Long because every setting is one row here.'), false);
    assert.equal(saysWhyLong('// The table. Long because every setting is one row here.\nexport {};'), true);
    assert.equal(saysWhyLong('/**\n * The table.\n * Long because every setting is one row here.\n */\nexport {};'), true);
  });

  it('no runtime import cycles in src/ (import type does not count)', () => {
    assert.deepEqual(importCycles(productionFiles), []);
  });

  it('the cycle check sees value imports and re-exports, and not type-only ones', () => {
    const sources = [
      { rel: 'src/x/a.ts', text: "import { b } from './b.js';\nexport const a = 1;" },
      { rel: 'src/x/b.ts', text: "export { c as b } from '../y/c.js';" },
      { rel: 'src/y/c.ts', text: "import { type A, a } from '../x/a.js';\nexport const c = a;" },
      { rel: 'src/y/d.ts', text: "import type { c } from './c.js';\nexport type D = typeof c;" },
      { rel: 'src/y/e.ts', text: "import { d } from './d.js';\nexport const e = d;" },
    ];
    assert.deepEqual(importCycles(sources), ['src/x/a.ts -> src/x/b.ts -> src/y/c.ts -> src/x/a.ts']);
    assert.deepEqual(importCycles([sources[3]!, { rel: 'src/y/c.ts', text: "import type { D } from './d.js';" }]), []);
  });

  it('functions stay within 60 lines, apart from the allow-list in test/long-functions.ts', () => {
    const found = longFunctions(productionFiles, 60);
    const allowed = new Set(LONG_FUNCTIONS.map((entry) => `${entry.file}: ${entry.name}`));
    const unlisted = [...found].filter(([key]) => !allowed.has(key)).map(([key, lines]) => `${key} (${lines} lines)`);
    assert.deepEqual(unlisted, [], 'split these, or add them to test/long-functions.ts with the reason');
    const stale = [...allowed].filter((key) => !found.has(key));
    assert.deepEqual(stale, [], 'these are no longer over 60 lines: remove them from test/long-functions.ts');
    for (const entry of LONG_FUNCTIONS) assert.ok(entry.reason.split(' ').length >= 4, `${entry.file}: ${entry.name} needs a reason`);
  });

  it('the function check measures every kind of function', () => {
    const body = Array.from({ length: 60 }, (_, index) => `  const v${index} = ${index};`).join('\n');
    const text = [
      `export function declared(): void {\n${body}\n}`,
      `export const arrow = (): void => {\n${body}\n};`,
      `export class Box {\n  method(): void {\n${body}\n  }\n}`,
      `export function short(): void {\n  const v = 1;\n}`,
    ].join('\n');
    assert.deepEqual(
      [...longFunctions([{ rel: 'src/x/a.ts', text }], 60)],
      [
        ['src/x/a.ts: declared', 62],
        ['src/x/a.ts: arrow', 62],
        ['src/x/a.ts: Box.method', 62],
      ],
    );
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
