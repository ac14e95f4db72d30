/**
 * The engine's slice of the settings: batching limits and the onnxruntime knobs. `config/` builds
 * the whole settings object at the edge and passes this slice in; nothing here reads the environment.
 */
import { z } from 'zod';
import { choiceOption, integerOption, LlmDeployError, QUANTIZE_MODES } from '../config/index.js';

/** Weight precision the native runtime builds its graphs with. */
export type Quantize = (typeof QUANTIZE_MODES)[number];

/** Schema of {@link EngineSettings}; every field is a setting, so its range and default are the settings table's. */
export const engineSettingsSchema = z.object({
  /** Most decoder rows (greedy requests, sampled sequences, beams) decoded together in one step. */
  maxBatchSize: integerOption('MAX_BATCH_SIZE'),
  /** Most requests waiting for a batch slot; beyond it requests fail with ENGINE_QUEUE_FULL. */
  maxQueue: integerOption('MAX_QUEUE'),
  /** onnxruntime intra-op threads; 0 lets the runtime choose. */
  threads: integerOption('ENGINE_THREADS'),
  /** Weight precision of the runtime graphs. */
  quantize: choiceOption('QUANTIZE', QUANTIZE_MODES),
  /** Longest accepted prompt in tokens (the trailing `</s>` included). */
  maxInputTokens: integerOption('MAX_INPUT_TOKENS'),
  /** Upper bound on `maxNewTokens` a request may ask for (the `MAX_NEW_TOKENS_CAP` setting). */
  maxNewTokensLimit: integerOption('MAX_NEW_TOKENS_CAP'),
});

/** Resolved engine settings. */
export type EngineSettings = z.infer<typeof engineSettingsSchema>;

/** The defaults, as the schema fills them. */
export const DEFAULT_ENGINE_SETTINGS: EngineSettings = Object.freeze(engineSettingsSchema.parse({}));

/** Fills absent fields with defaults and checks ranges; throws ENGINE_SETTINGS_INVALID naming the field. */
export function resolveEngineSettings(partial: Partial<EngineSettings> = {}): EngineSettings {
  const parsed = engineSettingsSchema.safeParse(partial);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.join('.') ?? '';
    const given: unknown = field in partial ? partial[field as keyof EngineSettings] : undefined;
    throw new LlmDeployError('invalid engine setting', {
      code: 'ENGINE_SETTINGS_INVALID',
      field,
      given: JSON.stringify(given) ?? 'undefined',
      expected: issue?.message ?? 'a valid value',
    });
  }
  return Object.freeze(parsed.data);
}
