import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ROOT, runProcess } from './run-cli.js';

/** Every file under `dir`, relative paths. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' });
}

// The image's /app without Docker (scripts/stage-runtime.mjs): what `npm run build` compiles, run with tsx
// out of reach, since tsx is a development dependency the image does not have.
describe('the compiled build (the image runtime)', { timeout: 300_000 }, () => {
  let work: string;
  let app: string;

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'llm-deploy-compiled-'));
    app = join(work, 'app');
    const staged = await runProcess(process.execPath, ['scripts/stage-runtime.mjs', app]);
    assert.equal(staged.code, 0, staged.stdout + staged.stderr);
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  it('holds JavaScript and the /ui assets, no TypeScript, no tests, no sources, no tsx', () => {
    const dist = filesUnder(join(app, 'dist'));
    assert.ok(dist.includes(join('cli', 'main.js')));
    for (const asset of ['index.html', 'app.js', 'style.css']) assert.ok(dist.includes(join('server', 'ui', 'assets', asset)), asset);
    assert.deepEqual(
      dist.filter((file) => file.endsWith('.ts') || file.includes('.test.') || file.includes('__fixtures__')),
      [],
    );
    assert.ok(!existsSync(join(app, 'src')));
    assert.ok(!existsSync(join(app, 'node_modules', 'tsx')));
    assert.ok(existsSync(join(app, 'node_modules', 'fastify')));
  });

  it('runs `--help` from dist/ without tsx', async () => {
    const run = await runProcess(process.execPath, ['--', join(app, 'bin', 'llm-deploy.js'), '--help'], { env: { NODE_OPTIONS: '' } });
    assert.equal(run.code, 0, run.stderr);
    for (const command of ['serve', 'deploy', 'render', 'tokenize']) assert.match(run.stdout, new RegExp(`\\b${command}\\b`));
  });

  it('says what to do when there is neither dist/ nor src/ with tsx', async () => {
    const bare = join(work, 'bare');
    for (const entry of ['bin', 'package.json']) cpSync(join(ROOT, entry), join(bare, entry), { recursive: true });
    const run = await runProcess(process.execPath, ['--', join(bare, 'bin', 'llm-deploy.js'), '--help']);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /npm run build/);
    assert.match(run.stderr, /npm ci/);
  });
});
