// Reads an SSE response body in tests.

/** The JSON payloads of an SSE body (`data:` lines), `[DONE]` kept as a string. */
export function sseEvents(body: string): unknown[] {
  return body
    .split('\n\n')
    .map((block) => block.split('\n').find((line) => line.startsWith('data:')))
    .filter((line): line is string => line !== undefined)
    .map((line) => line.slice(5).trim())
    .map((data) => (data === '[DONE]' ? data : JSON.parse(data)));
}
