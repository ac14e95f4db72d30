/**
 * What the OpenAI routes (`/v1/completions`, `/v1/chat/completions`) share: the served model's
 * name, the model check, refusals of fields the engine cannot honour, choice jobs, token counts,
 * and the one SSE loop that streams choices (held back at possible stop strings, `[DONE]` last).
 */
import type { FastifyReply } from 'fastify';
import type { GenerateResult, GenerationParams, TokenEvent } from '../../engine/index.js';
import { OPENAI_STREAM_DONE, openAiFinishReason } from '../../protocol/index.js';
import { invalidField, modelNotFound } from '../errors.js';
import { clientDisconnectSignal, generateAll, type PromptJob } from '../generation.js';
import { IncrementalDecoder } from '../incremental-decoder.js';
import type { LoadedModel, ServerRuntime } from '../runtime.js';
import { openEventStream, streamError } from '../sse.js';
import { StopScanner } from '../stop-scanner.js';

/** The name clients address the model by. */
export function servedName(runtime: ServerRuntime): string {
  return runtime.options.modelName ?? runtime.model().backend.info.modelName;
}

/** OpenAI's model object (https://platform.openai.com/docs/api-reference/models/object). */
export function modelObject(id: string): { id: string; object: 'model'; created: number; owned_by: string } {
  return { id, object: 'model', created: 0, owned_by: 'llm-deploy' };
}

/** An absent `model` is taken as the served one; another name is refused unless any name is allowed. */
export function checkModelName(runtime: ServerRuntime, model: string | undefined): void {
  if (model === undefined || runtime.options.openAiAnyModel) return;
  const served = servedName(runtime);
  if (model !== served) throw modelNotFound(model, served);
}

/** Penalties OpenAI defines that the engine lacks are refused by name, never ignored. */
export function refusePenalties(body: { readonly presencePenalty: number; readonly frequencyPenalty: number }): void {
  const refuse = (field: string, message: string): never => {
    throw invalidField(message, { field });
  };
  if (body.frequencyPenalty !== 0) refuse('frequency_penalty', 'frequency_penalty is not supported; use repetition_penalty');
  if (body.presencePenalty !== 0) refuse('presence_penalty', 'presence_penalty is not supported; use repetition_penalty');
}

/** What {@link choiceJobs} builds from. */
export interface ChoicePlan {
  readonly prompts: readonly (readonly number[])[];
  readonly n: number;
  readonly params: GenerationParams;
  readonly stop: readonly string[];
  readonly returnLogProbs?: boolean;
}

/** `n` single-sequence jobs per prompt, so the scheduler batches them and each can stream; seeds differ per copy. */
export function choiceJobs(runtime: ServerRuntime, plan: ChoicePlan): PromptJob[] {
  if (plan.prompts.length * plan.n > runtime.options.maxInstances) {
    throw invalidField('batch size exceeded', {
      field: 'n',
      given: `${plan.prompts.length} prompts x n=${plan.n}`,
      expected: `at most ${runtime.options.maxInstances} completions`,
    });
  }
  const { params, stop } = plan;
  return plan.prompts.flatMap((inputIds) =>
    Array.from({ length: plan.n }, (_, copy) => ({
      inputIds,
      params: params.seed === undefined ? params : { ...params, seed: params.seed + copy },
      stop,
      ...(plan.returnLogProbs === true ? { returnLogProbs: true } : {}),
    })),
  );
}

/** Results come `n` per prompt; each prompt's tokens count once, as OpenAI bills them. */
export function tokenCounts(results: readonly GenerateResult[], n: number): { promptTokens: number; completionTokens: number } {
  const promptTokens = results.reduce((sum, result, index) => sum + (index % n === 0 ? result.inputTokenCount : 0), 0);
  const completionTokens = results.reduce((sum, result) => sum + (result.sequences[0]?.tokenIds.length ?? 0), 0);
  return { promptTokens, completionTokens };
}

/** How one route writes its stream events. */
export interface ChoiceStreamFormat {
  /** Sent once per choice before its text (chat's `delta.role`); absent: nothing. */
  start?(index: number): unknown;
  /** Text of choice `index` with the tokens chosen since the last event. */
  delta(index: number, text: string, tokens: readonly TokenEvent[]): unknown;
  /** The choice's last event, with its finish reason. */
  finish(index: number, text: string, tokens: readonly TokenEvent[], reason: ReturnType<typeof openAiFinishReason>): unknown;
  /** The usage event, when asked for. */
  usage(counts: { promptTokens: number; completionTokens: number }): unknown;
}

/** What {@link streamChoices} streams. */
export interface ChoiceStreamPlan {
  readonly model: LoadedModel;
  readonly jobs: readonly PromptJob[];
  readonly stop: readonly string[];
  readonly includeUsage: boolean;
  /** Choices per prompt. */
  readonly n: number;
}

/** Streams every job's text as SSE events, ending with `data: [DONE]` whatever happened. */
export async function streamChoices(
  runtime: ServerRuntime,
  reply: FastifyReply,
  plan: ChoiceStreamPlan,
  format: ChoiceStreamFormat,
): Promise<void> {
  const clientSignal = clientDisconnectSignal(reply);
  await runtime.track(async (controller) => {
    const stream = openEventStream(reply);
    const decoders = plan.jobs.map(() => new IncrementalDecoder(plan.model.tokenizer));
    // text that may turn into a stop sequence is held back; the stop itself is never sent
    const scanners = plan.jobs.map(() => new StopScanner(plan.stop));
    const pending: TokenEvent[][] = plan.jobs.map(() => []);
    const take = (index: number): TokenEvent[] => pending[index]?.splice(0) ?? [];
    const jobs = plan.jobs.map((job, index) => ({
      ...job,
      onToken: (event: TokenEvent) => {
        pending[index]?.push(event);
        const text = scanners[index]?.push(decoders[index]?.push(event.tokenId) ?? '') ?? '';
        if (text.length > 0) stream.send(format.delta(index, text, take(index)));
      },
    }));
    if (format.start !== undefined) plan.jobs.forEach((_, index) => stream.send(format.start?.(index)));
    try {
      const results = await generateAll(runtime, { controller, clientSignal }, jobs);
      results.forEach((result, index) => {
        const reason = openAiFinishReason(result.sequences[0]?.finishReason ?? 'length');
        const rest = scanners[index]?.push(decoders[index]?.flush() ?? '') ?? '';
        stream.send(format.finish(index, rest + (scanners[index]?.flush() ?? ''), take(index), reason));
      });
      if (plan.includeUsage) stream.send(format.usage(tokenCounts(results, plan.n)));
    } catch (error) {
      stream.send(streamError(reply, error, 'openai'));
    } finally {
      stream.send(OPENAI_STREAM_DONE);
      stream.end();
    }
  });
}
