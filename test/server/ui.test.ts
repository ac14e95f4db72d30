// The /ui playground in a real browser (Debian chromium through playwright-core) against the real
// native backend: type a prompt, press Generate, see Hugging Face's answer stream in.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { BrowserContext } from 'playwright-core';
import { launchChromium, type TestBrowser } from './support/chromium.js';
import { loadNativeBackend } from '../../src/engine/index.js';
import { createServer, type LlmDeployServer } from '../../src/server/index.js';
import { loadTokenizer } from '../../src/tokenizer/index.js';

const MODEL_DIR = fileURLToPath(new URL('../fixtures/t5-tiny-relu', import.meta.url));
const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));
const expected = JSON.parse(readFileSync(join(MODEL_DIR, 'expected.json'), 'utf8')) as {
  cases: { text: string; greedy: { decoded_skip_special: string } }[];
};

describe('/ui playground in chromium', () => {
  let server: LlmDeployServer;
  let base: string;
  let browser: TestBrowser | undefined;
  let context: BrowserContext;
  before(async () => {
    server = createServer({
      host: '127.0.0.1',
      port: 0,
      backend: loadNativeBackend({ modelDir: MODEL_DIR, settings: { threads: 1 } }),
      tokenizer: loadTokenizer(MODEL_DIR),
      logger: false,
    });
    base = await server.listen();
    await server.modelLoaded;
    browser = await launchChromium('llm-deploy-ui-');
    context = browser.context;
    mkdirSync(ARTIFACTS, { recursive: true });
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('generates the reference answer for a typed prompt and records it in the history', async () => {
    const item = expected.cases[0];
    assert.ok(item !== undefined);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(`${base}/ui`);
    await page.locator('#status-text').filter({ hasText: 'model ready' }).waitFor({ timeout: 10_000 });
    await page.fill('#max-new-tokens', '20');
    await page.fill('#prompt', item.text);
    await page.click('#generate');
    await page.locator('#output[data-state="done"]').waitFor({ timeout: 20_000 });
    assert.equal(await page.textContent('#output'), item.greedy.decoded_skip_special);
    assert.equal(await page.locator('#error').isHidden(), true);
    assert.match((await page.textContent('#t-tokens')) ?? '', /^\d+$/);
    assert.equal(await page.locator('#history-list li').count(), 1);
    await page.screenshot({ path: join(ARTIFACTS, 'ui-desktop.png'), fullPage: true });
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('sends a raw /infer body and shows the whole JSON answer with the server timings', async () => {
    const cases = expected.cases.slice(0, 2);
    assert.equal(cases.length, 2);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(`${base}/ui`);
    await page.click('#raw-panel summary');
    const body = { instances: cases.map((item) => item.text), config: { max_new_tokens: 20 } };
    await page.fill('#raw-body', JSON.stringify(body));
    await page.click('#raw-send');
    await page.locator('#raw-answer[data-state="done"]').waitFor({ timeout: 20_000 });
    const answer = JSON.parse((await page.textContent('#raw-answer')) ?? '') as { predictions: string[]; metrics: unknown[] };
    assert.deepEqual(
      answer.predictions,
      cases.map((item) => item.greedy.decoded_skip_special),
    );
    assert.equal(answer.metrics.length, 2);
    assert.match((await page.textContent('#s-prediction')) ?? '', /^\d+(\.\d+)? ms$/);
    assert.match((await page.textContent('#t-total')) ?? '', /^\d+ ms$/);
    await page.fill('#raw-body', '{"instances": [');
    await page.click('#raw-send');
    await page.locator('#error').filter({ hasText: 'JSON' }).waitFor({ timeout: 5_000 });
    await page.screenshot({ path: join(ARTIFACTS, 'ui-raw.png'), fullPage: true });
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('forbids framing and sends no referrer', async () => {
    const response = await fetch(`${base}/ui`);
    assert.match(response.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/);
    assert.equal(response.headers.get('x-frame-options'), 'DENY');
    assert.equal(response.headers.get('referrer-policy'), 'no-referrer');
  });

  it('fits a phone screen and fills a preset', async () => {
    const page = await context.newPage();
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${base}/ui`);
    await page.click('#presets .chip >> nth=0');
    assert.equal(await page.inputValue('#prompt'), 'number to words: 1205');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `page is ${overflow}px wider than the phone screen`);
    await page.screenshot({ path: join(ARTIFACTS, 'ui-phone.png'), fullPage: true });
    await page.close();
  });
});
