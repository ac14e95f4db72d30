import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { SETTINGS, settingsMarkdown } from '../src/config/index.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

describe('README', () => {
  it('gives the two quick-start commands', () => {
    assert.ok(readme.includes('npm ci && npm start'));
    assert.ok(readme.includes('npm ci && npm test'));
  });

  it('has the settings table generated from the settings schema (run scripts/readme-settings.ts)', () => {
    assert.ok(readme.includes(settingsMarkdown()), 'README settings table is stale: node --import tsx scripts/readme-settings.ts');
    for (const setting of SETTINGS) assert.ok(readme.includes(`\`${setting.key}\``), `${setting.key} missing`);
  });

  it('CI runs exactly the README test command', () => {
    const ci = readFileSync(new URL('../.ci/run', import.meta.url), 'utf8');
    assert.match(ci, /^npm test$/m);
  });
});
