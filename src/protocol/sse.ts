/**
 * Server-sent events: formatting (`data: <json>` + blank line, comments for keep-alive) and a
 * parser for tests and clients that accepts `data:` with or without the space (TGI writes none).
 */

/** One event. */
export interface SseEvent {
  readonly data: string;
  readonly event?: string;
  readonly id?: string;
}

/** Headers for an event stream (no proxy buffering). */
export const SSE_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  'x-accel-buffering': 'no',
};

/**
 * Formats one event; objects are JSON-encoded, strings sent as they are (multi-line strings become
 * several `data:` lines).
 * @example formatSse({ index: 0 }) // 'data: {"index":0}\n\n'
 */
export function formatSse(data: unknown, options: { readonly event?: string; readonly id?: string } = {}): string {
  const text = typeof data === 'string' ? data : JSON.stringify(data);
  const head = `${options.event === undefined ? '' : `event: ${options.event}\n`}${options.id === undefined ? '' : `id: ${options.id}\n`}`;
  return `${head}${text
    .split(/\r\n|\r|\n/)
    .map((line) => `data: ${line}`)
    .join('\n')}\n\n`;
}

/** A comment line (ignored by clients), e.g. a keep-alive. */
export function formatSseComment(text = 'keep-alive'): string {
  return `: ${text}\n\n`;
}

function applyField(event: { data: string[]; event?: string; id?: string }, line: string): void {
  const colon = line.indexOf(':');
  const field = colon < 0 ? line : line.slice(0, colon);
  let value = colon < 0 ? '' : line.slice(colon + 1);
  if (value.startsWith(' ')) value = value.slice(1);
  if (field === 'data') event.data.push(value);
  else if (field === 'event') event.event = value;
  else if (field === 'id') event.id = value;
}

/**
 * Parses a whole event stream text into events (comments and unknown fields skipped).
 * @example parseSse('data:{"a":1}\n\ndata: [DONE]\n\n') // [{ data: '{"a":1}' }, { data: '[DONE]' }]
 */
export function parseSse(text: string): SseEvent[] {
  const events: SseEvent[] = [];
  let current: { data: string[]; event?: string; id?: string } = { data: [] };
  const flush = (): void => {
    if (current.data.length > 0) {
      events.push({
        data: current.data.join('\n'),
        ...(current.event === undefined ? {} : { event: current.event }),
        ...(current.id === undefined ? {} : { id: current.id }),
      });
    }
    current = { data: [] };
  };
  for (const line of text.split(/\r\n|\r|\n/)) {
    if (line === '') flush();
    else if (!line.startsWith(':')) applyField(current, line);
  }
  flush();
  return events;
}
