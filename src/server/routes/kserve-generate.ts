/**
 * Triton's generate extension for every served model: `POST /v2/models/{name}[/versions/{v}]/generate`
 * (one JSON answer) and `.../generate_stream` (server-sent events, one `data:` object per text
 * piece; an error after the stream opened is a `data: {"error": ...}` event, as the extension says)
 * (https://github.com/triton-inference-server/server/blob/main/docs/protocol/extension_generate.md).
 * For decoder-only models `text_output` holds the prompt and the continuation unless
 * `exclude_input_in_output` is true, and streams carry only the continuation, as Triton's vLLM
 * backend answers (https://github.com/triton-inference-server/vllm_backend/blob/main/src/model.py);
 * an encoder-decoder model's output never contains its input, so the flag changes nothing there.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TokenEvent } from '../../engine/index.js';
import { generateResponse, parseGenerateRequest, parseJsonText, type GenerateExtensionRequest } from '../../protocol/index.js';
import { invalidField } from '../errors.js';
import { clientDisconnectSignal, encodePrompt, generateAll, type PromptJob } from '../generation.js';
import { IncrementalDecoder } from '../incremental-decoder.js';
import { resolveOptions } from '../params/resolve-options.js';
import type { LoadedModel, ServerRuntime } from '../runtime.js';
import { openEventStream, streamError } from '../sse.js';

/** The names and version the generate routes answer to. */
export interface GenerateExtensionOptions {
  /** Checks the path's model name and version; throws the 404 otherwise, and returns the name to report. */
  readonly checkModel: (request: FastifyRequest) => string;
  readonly modelVersion: string;
}

/** Registers `generate` and `generate_stream` in a scope whose bodies arrive as raw bytes (curl's `-d` sends a form content type). */
export function registerGenerateExtension(scope: FastifyInstance, runtime: ServerRuntime, options: GenerateExtensionOptions): void {
  for (const prefix of ['/v2/models/:name', '/v2/models/:name/versions/:version']) {
    scope.post(`${prefix}/generate`, async (request, reply) => {
      const planned = await plan(runtime, request, options, false);
      const clientSignal = clientDisconnectSignal(reply);
      const [result] = await runtime.track((controller) => generateAll(runtime, { controller, clientSignal }, [planned.job]));
      const text = planned.model.tokenizer.decode(result?.sequences[0]?.tokenIds ?? [], { skipSpecialTokens: true });
      return generateResponse({ ...planned.head, textOutput: planned.prefix + text });
    });
    scope.post(`${prefix}/generate_stream`, async (request, reply) => {
      await streamGenerate(runtime, reply, await plan(runtime, request, options, true));
      return reply;
    });
  }
}

interface Planned {
  readonly head: { readonly id?: string; readonly modelName: string; readonly modelVersion: string };
  readonly model: LoadedModel;
  readonly job: PromptJob;
  readonly stream: boolean;
  /** The prompt when the answer repeats it, else ''. */
  readonly prefix: string;
}

async function plan(
  runtime: ServerRuntime,
  request: FastifyRequest,
  options: GenerateExtensionOptions,
  streamRoute: boolean,
): Promise<Planned> {
  const modelName = options.checkModel(request);
  const raw = Buffer.isBuffer(request.body) && request.body.length > 0 ? request.body.toString('utf8') : '';
  const body = parseGenerateRequest(parseJsonText(raw, 'request', { expected: 'a JSON object such as {"text_input": "..."}' }));
  const stream = streamRoute && body.stream !== false;
  if (!streamRoute && body.stream === true) {
    throw invalidField('streaming is answered by generate_stream', {
      field: 'stream',
      given: 'true',
      expected: 'false here, or POST .../generate_stream',
    });
  }
  const model = runtime.model();
  const prefix = promptPrefix(model, body, stream);
  const params = resolveOptions(runtime, model, { ...body.settings, numReturnSequences: 1 }, body.fieldName);
  const inputIds = await encodePrompt(runtime, model, body.textInput, { field: 'text_input' });
  const head = { ...(body.id === undefined ? {} : { id: body.id }), modelName, modelVersion: options.modelVersion };
  return { head, model, job: { inputIds, params }, stream, prefix };
}

function promptPrefix(model: LoadedModel, body: GenerateExtensionRequest, stream: boolean): string {
  if (model.backend.info.architecture !== 'decoder-only') return '';
  const withPrompt = body.excludeInputInOutput === undefined ? !stream : !body.excludeInputInOutput;
  if (withPrompt && stream) {
    throw invalidField('a stream cannot repeat the prompt', {
      field: body.parameterField('exclude_input_in_output'),
      given: 'false',
      expected: 'true or absent on generate_stream (or "stream": false)',
    });
  }
  return withPrompt ? body.textInput : '';
}

async function streamGenerate(runtime: ServerRuntime, reply: FastifyReply, planned: Planned): Promise<void> {
  const clientSignal = clientDisconnectSignal(reply);
  await runtime.track(async (controller) => {
    const stream = openEventStream(reply);
    const send = (textOutput: string): void => stream.send(generateResponse({ ...planned.head, textOutput }));
    const decoder = new IncrementalDecoder(planned.model.tokenizer);
    let streamed = false;
    const onToken = (event: TokenEvent): void => {
      const piece = decoder.push(event.tokenId);
      if (!planned.stream || piece.length === 0) return;
      streamed = true;
      send(piece);
    };
    try {
      const [result] = await generateAll(runtime, { controller, clientSignal }, [{ ...planned.job, onToken }]);
      if (streamed) {
        const rest = decoder.flush();
        if (rest.length > 0) send(rest);
      } else {
        // a backend that reports no tokens on the way (beam search, Triton) answers the whole text at the end
        send(planned.prefix + planned.model.tokenizer.decode(result?.sequences[0]?.tokenIds ?? [], { skipSpecialTokens: true }));
      }
    } catch (error) {
      stream.send(streamError(reply, error, 'kserve'));
    } finally {
      stream.end();
    }
  });
}
