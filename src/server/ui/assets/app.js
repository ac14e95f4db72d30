// The llm-deploy playground: streams /generate_stream (or /infer for beam search), shows the
// client's and the server's timings, sends raw /infer bodies, keeps a per-session history and
// builds a curl command for the current request. No build step.
'use strict';

const HISTORY_KEY = 'llm-deploy-history';
const API_KEY_KEY = 'llm-deploy-api-key';
const HISTORY_LIMIT = 50;

const $ = (id) => document.getElementById(id);
let running = null;

function readSettings() {
  const number = (id, fallback) => {
    const value = Number($(id).value);
    return Number.isFinite(value) ? value : fallback;
  };
  return {
    maxNewTokens: Math.max(1, Math.round(number('max-new-tokens', 32))),
    numBeams: Math.max(1, Math.round(number('num-beams', 1))),
    doSample: $('do-sample').checked,
    temperature: number('temperature', 0.7),
    topK: Math.max(1, Math.round(number('top-k', 50))),
    topP: number('top-p', 0.95),
  };
}

/** Which route serves the request: beam search is not streamed, so it goes to /infer. */
function planRequest(prompt, settings) {
  if (settings.numBeams > 1) {
    return {
      url: '/infer?metrics=true',
      streamed: false,
      body: { instances: [prompt], parameters: { max_new_tokens: settings.maxNewTokens, num_beams: settings.numBeams } },
    };
  }
  const parameters = { max_new_tokens: settings.maxNewTokens };
  if (settings.doSample) {
    Object.assign(parameters, { do_sample: true, temperature: settings.temperature, top_k: settings.topK });
    if (settings.topP > 0 && settings.topP < 1) parameters.top_p = settings.topP;
  }
  return { url: '/generate_stream', streamed: true, body: { inputs: prompt, parameters } };
}

function apiKey() {
  return $('api-key').value.trim();
}

function requestHeaders() {
  const headers = { 'content-type': 'application/json' };
  if (apiKey()) headers.authorization = `Bearer ${apiKey()}`;
  return headers;
}

function setOutput(text, state) {
  const output = $('output');
  output.textContent = text;
  output.dataset.state = state;
}

function showError(message) {
  const box = $('error');
  box.textContent = message;
  box.hidden = !message;
}

function errorMessage(body, status) {
  if (body && typeof body.error === 'string') return `${status}: ${body.error}`;
  if (body && body.error && typeof body.error.message === 'string') return `${status}: ${body.error.message}`;
  return `request failed with status ${status}`;
}

function setTimings(timings) {
  const ms = (value) => (value === undefined ? '\u2013' : `${Math.round(value)} ms`);
  $('t-first').textContent = ms(timings.firstMs);
  $('t-total').textContent = ms(timings.totalMs);
  $('t-tokens').textContent = timings.tokens === undefined ? '\u2013' : String(timings.tokens);
  const rate = timings.tokens && timings.totalMs ? (timings.tokens / (timings.totalMs / 1000)).toFixed(1) : undefined;
  $('t-rate').textContent = rate ?? '\u2013';
}

/** The server's own timings of the first instance (`?metrics=true`), shown next to the client's. */
function setServerTimings(metrics) {
  const first = Array.isArray(metrics) ? metrics[0] : undefined;
  const ms = (value) => (value === undefined || !Number.isFinite(Number(value)) ? '\u2013' : `${Number(value).toFixed(2)} ms`);
  $('s-preprocess').textContent = ms(first?.preprocess);
  $('s-queue').textContent = ms(first?.queue);
  $('s-prediction').textContent = ms(first?.prediction);
  $('s-postprocess').textContent = ms(first?.postprocess);
}

function showRawAnswer(body, state) {
  const box = $('raw-answer');
  box.hidden = body === undefined;
  box.textContent = body === undefined ? '' : JSON.stringify(body, null, 2);
  box.dataset.state = state;
}

/** Sends the raw JSON body as is to /infer?metrics=true and shows the whole answer. */
async function sendRaw() {
  let body;
  try {
    body = JSON.parse($('raw-body').value);
  } catch (error) {
    showError(`The raw body is not valid JSON: ${error.message}`);
    showRawAnswer(undefined, 'idle');
    return;
  }
  showError('');
  showRawAnswer(undefined, 'running');
  setTimings({});
  setServerTimings(undefined);
  const started = performance.now();
  try {
    const response = await fetch('/infer?metrics=true', { method: 'POST', headers: requestHeaders(), body: JSON.stringify(body) });
    const answer = await response.json().catch(() => null);
    const totalMs = performance.now() - started;
    setTimings({ firstMs: totalMs, totalMs });
    if (!response.ok) showError(errorMessage(answer, response.status));
    else setServerTimings(answer?.metrics);
    showRawAnswer(answer, 'done');
    const first = answer?.predictions?.[0];
    if (response.ok) setOutput(Array.isArray(first) ? first.join('\n') : String(first ?? ''), 'done');
  } catch (error) {
    showError(error.message);
    showRawAnswer(undefined, 'done');
  }
}

function fillRawFromForm() {
  const settings = readSettings();
  const parameters = { max_new_tokens: settings.maxNewTokens, num_beams: settings.numBeams };
  if (settings.doSample) Object.assign(parameters, { do_sample: true, temperature: settings.temperature, top_k: settings.topK, top_p: settings.topP });
  const body = { instances: [$('prompt').value || 'number to words: 1205'], parameters };
  $('raw-body').value = JSON.stringify(body, null, 2);
}

/** Yields the JSON (or `[DONE]`) payload of each server-sent event of a fetch response. */
async function* serverSentEvents(response) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    buffer += decoder.decode(value ?? new Uint8Array(), { stream: !done });
    const blocks = buffer.split(/\r?\n\r?\n/);
    buffer = done ? '' : blocks.pop();
    for (const block of blocks) {
      const data = block
        .split(/\r?\n/)
        .filter((line) => line.startsWith('data:'))
        .map((line) => line.slice(5).replace(/^ /, ''))
        .join('\n');
      if (data) yield data === '[DONE]' ? data : JSON.parse(data);
    }
    if (done) return;
  }
}

async function runStreamed(response, started, timings) {
  let text = '';
  for await (const event of serverSentEvents(response)) {
    if (event === '[DONE]') break;
    if (event.error) throw new Error(event.error);
    if (timings.firstMs === undefined) timings.firstMs = performance.now() - started;
    timings.tokens = (timings.tokens ?? 0) + 1;
    text = event.generated_text ?? text + event.token.text;
    setOutput(text, 'running');
    setTimings({ ...timings, totalMs: performance.now() - started });
  }
  return text;
}

async function generate() {
  const prompt = $('prompt').value;
  if (!prompt.trim()) {
    showError('Type a prompt first (or pick a preset).');
    return;
  }
  const plan = planRequest(prompt, readSettings());
  showError('');
  setOutput('', 'running');
  setTimings({});
  setServerTimings(undefined);
  showRawAnswer(undefined, 'idle');
  const controller = new AbortController();
  running = controller;
  setBusy(true);
  const started = performance.now();
  const timings = {};
  try {
    const response = await fetch(plan.url, { method: 'POST', headers: requestHeaders(), body: JSON.stringify(plan.body), signal: controller.signal });
    if (!response.ok) {
      const body = await response.json().catch(() => null);
      throw new Error(errorMessage(body, response.status));
    }
    let text;
    if (plan.streamed) text = await runStreamed(response, started, timings);
    else {
      const body = await response.json();
      text = String(body.predictions?.[0] ?? '');
      timings.firstMs = performance.now() - started;
      setServerTimings(body.metrics);
    }
    timings.totalMs = performance.now() - started;
    setOutput(text, 'done');
    setTimings(timings);
    addHistory({ prompt, answer: text, totalMs: Math.round(timings.totalMs), tokens: timings.tokens, route: plan.url });
  } catch (error) {
    setOutput($('output').textContent, 'done');
    showError(controller.signal.aborted ? 'Stopped.' : error.message);
  } finally {
    running = null;
    setBusy(false);
  }
}

function setBusy(busy) {
  $('generate').disabled = busy;
  $('stop').disabled = !busy;
}

function loadHistory() {
  try {
    const items = JSON.parse(sessionStorage.getItem(HISTORY_KEY) ?? '[]');
    return Array.isArray(items) ? items : [];
  } catch {
    return [];
  }
}

function addHistory(entry) {
  const items = [{ ...entry, at: new Date().toISOString() }, ...loadHistory()].slice(0, HISTORY_LIMIT);
  sessionStorage.setItem(HISTORY_KEY, JSON.stringify(items));
  renderHistory();
}

function renderHistory() {
  const list = $('history-list');
  const items = loadHistory();
  list.replaceChildren(
    ...items.map((item) => {
      const row = document.createElement('li');
      const cell = (className, text) => {
        const span = document.createElement('span');
        span.className = className;
        span.textContent = text;
        span.title = text;
        return span;
      };
      const time = new Date(item.at).toLocaleTimeString();
      row.append(cell('h-prompt', item.prompt), cell('h-answer', item.answer || '(empty)'), cell('h-meta', `${item.totalMs} ms \u00b7 ${time}`));
      row.addEventListener('click', () => {
        $('prompt').value = item.prompt;
        setOutput(item.answer, 'done');
      });
      return row;
    }),
  );
  $('history-empty').hidden = items.length > 0;
}

function shellQuote(text) {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

function curlCommand() {
  const plan = planRequest($('prompt').value || 'number to words: 1205', readSettings());
  const parts = ['curl', plan.streamed ? '-sN' : '-s', shellQuote(`${location.origin}${plan.url}`), '-H', shellQuote('content-type: application/json')];
  if (apiKey()) parts.push('-H', '"Authorization: Bearer $LLM_DEPLOY_API_KEY"');
  parts.push('-d', shellQuote(JSON.stringify(plan.body)));
  return parts.join(' ');
}

async function copyCurl() {
  const command = curlCommand();
  try {
    await navigator.clipboard.writeText(command);
    toast('curl command copied' + (apiKey() ? ' (set LLM_DEPLOY_API_KEY)' : ''));
  } catch {
    window.prompt('Copy the command:', command);
  }
}

function toast(message) {
  const box = $('toast');
  box.textContent = message;
  box.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => (box.hidden = true), 2200);
}

async function refreshStatus() {
  const dot = $('status-dot');
  const text = $('status-text');
  try {
    const response = await fetch('/health/ready', { cache: 'no-store' });
    const body = await response.json().catch(() => ({}));
    dot.className = response.ok ? 'dot ok' : 'dot';
    text.textContent = response.ok ? 'model ready' : body.error || 'not ready';
  } catch {
    dot.className = 'dot bad';
    text.textContent = 'server unreachable';
  }
}

// Chat mode: shown when the model has a chat template (GET /ui/model.json); each turn posts the whole
// conversation to /v1/chat/completions with stream: true and appends the streamed answer.
let conversation = [];

function chatSettings() {
  const settings = readSettings();
  const sampling = settings.doSample && settings.numBeams === 1;
  return {
    max_tokens: settings.maxNewTokens,
    temperature: sampling ? settings.temperature : 0,
    ...(sampling ? { top_p: settings.topP, top_k: settings.topK } : {}),
  };
}

function addChatLine(role, text) {
  const item = document.createElement('li');
  item.dataset.role = role;
  item.textContent = text;
  $('chat-log').append(item);
  return item;
}

async function chatSend() {
  const content = $('chat-input').value;
  if (!content.trim() || running) return;
  const system = $('chat-system').value.trim();
  conversation.push({ role: 'user', content });
  addChatLine('user', content);
  $('chat-input').value = '';
  const messages = system ? [{ role: 'system', content: system }, ...conversation] : conversation;
  const controller = new AbortController();
  running = controller;
  setBusy(true);
  showError('');
  const answer = addChatLine('assistant', '');
  try {
    const body = { messages, stream: true, ...chatSettings() };
    const response = await fetch('/v1/chat/completions', { method: 'POST', headers: requestHeaders(), body: JSON.stringify(body), signal: controller.signal });
    if (!response.ok) throw new Error(errorMessage(await response.json().catch(() => null), response.status));
    for await (const event of serverSentEvents(response)) {
      if (event === '[DONE]') break;
      if (event.error) throw new Error(event.error.message ?? String(event.error));
      answer.textContent += event.choices?.[0]?.delta?.content ?? '';
    }
    conversation.push({ role: 'assistant', content: answer.textContent });
    answer.dataset.state = 'done';
  } catch (error) {
    conversation.pop();
    answer.remove();
    showError(controller.signal.aborted ? 'Stopped.' : error.message);
  } finally {
    running = null;
    setBusy(false);
  }
}

async function showChatIfTemplated() {
  const response = await fetch('/ui/model.json', { headers: requestHeaders(), cache: 'no-store' }).catch(() => null);
  const body = response?.ok ? await response.json().catch(() => null) : null;
  if (body === null) {
    setTimeout(showChatIfTemplated, 2000);
    return;
  }
  $('chat-panel').hidden = body.chatTemplate !== true;
  if (body.chatTemplate === true) $('chat-panel').open = true;
}

function syncSamplingInputs() {
  const sampling = $('do-sample').checked;
  const beams = Number($('num-beams').value) > 1;
  for (const id of ['temperature', 'top-k', 'top-p']) $(id).disabled = !sampling || beams;
  $('do-sample').disabled = beams;
  $('mode-hint').textContent = beams
    ? 'Beam search: the answer arrives at once (beams are not streamed).'
    : sampling
      ? 'Sampling, streamed token by token.'
      : 'Greedy decoding, streamed token by token.';
}

function init() {
  for (const chip of document.querySelectorAll('#presets .chip')) {
    chip.addEventListener('click', () => {
      $('prompt').value = chip.dataset.prompt;
      $('prompt').focus();
    });
  }
  $('generate').addEventListener('click', generate);
  $('stop').addEventListener('click', () => running?.abort());
  $('copy-curl').addEventListener('click', copyCurl);
  $('raw-send').addEventListener('click', sendRaw);
  $('raw-fill').addEventListener('click', fillRawFromForm);
  $('clear-history').addEventListener('click', () => {
    sessionStorage.removeItem(HISTORY_KEY);
    renderHistory();
  });
  $('prompt').addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      if (!running) generate();
    }
  });
  $('do-sample').addEventListener('change', syncSamplingInputs);
  $('num-beams').addEventListener('input', syncSamplingInputs);
  $('api-key').value = sessionStorage.getItem(API_KEY_KEY) ?? '';
  $('api-key').addEventListener('input', () => sessionStorage.setItem(API_KEY_KEY, apiKey()));
  $('chat-send').addEventListener('click', chatSend);
  $('chat-reset').addEventListener('click', () => {
    conversation = [];
    $('chat-log').replaceChildren();
  });
  $('chat-input').addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      chatSend();
    }
  });
  syncSamplingInputs();
  showChatIfTemplated();
  renderHistory();
  refreshStatus();
  setInterval(refreshStatus, 5000);
}

init();
