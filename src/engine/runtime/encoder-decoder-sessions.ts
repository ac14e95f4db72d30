/**
 * Opens a family's two graphs on onnxruntime with the measured thread defaults: the graph that reads the
 * prompt (the encoder of T5/BART/Marian, the prefill of decoder-only families; 2 threads) and the decoder
 * step (1 thread), the step first.
 */
import { requireGraph, type GraphSources } from '../graph/graph-set.js';
import { openGraphSession, type GraphSession } from '../session/ort.js';

/** Threads when the caller does not say: measured (see the README's engine section). */
const DEFAULT_THREADS = { prompt: 2, step: 1 };

/** Options of {@link openPromptAndStepSessions}. */
export interface PromptAndStepSessionOptions {
  /** onnxruntime intra-op threads for both graphs; 0 or absent = the measured defaults. */
  readonly threads?: number;
  readonly provider: 'cpu' | 'auto';
  /** Family name for the sessions' labels when the graphs come as bytes. */
  readonly label: string;
}

/**
 * The prompt graph's (`promptRole`) and the decoder step's sessions, the step first; the step is closed
 * again when the prompt graph cannot be opened.
 */
export async function openPromptAndStepSessions(
  sources: GraphSources,
  promptRole: 'encoder' | 'prefill',
  options: PromptAndStepSessionOptions,
): Promise<{ readonly prompt: GraphSession; readonly step: GraphSession }> {
  const promptSource = requireGraph(sources, promptRole);
  const stepSource = requireGraph(sources, 'decoder-step');
  const threads =
    options.threads !== undefined && options.threads > 0 ? { prompt: options.threads, step: options.threads } : DEFAULT_THREADS;
  const labelOf = (source: Uint8Array | string, graph: string): string =>
    typeof source === 'string' ? source : `${options.label} ${graph} graph`;
  // The step first: its session init briefly holds the head twice (mapped and prepacked), and that
  // peak then does not sit on top of the prompt graph's weights.
  const step = await openGraphSession(stepSource, {
    threads: threads.step,
    provider: options.provider,
    label: labelOf(stepSource, 'decoder'),
  });
  try {
    const prompt = await openGraphSession(promptSource, {
      threads: threads.prompt,
      provider: options.provider,
      label: labelOf(promptSource, promptRole),
    });
    return { prompt, step };
  } catch (error) {
    await step.close();
    throw error;
  }
}

/** The encoder and decoder-step sessions of an encoder-decoder family (T5, BART, Marian). */
export async function openEncoderDecoderSessions(
  sources: GraphSources,
  options: PromptAndStepSessionOptions,
): Promise<{ readonly encoder: GraphSession; readonly decoder: GraphSession }> {
  const { prompt, step } = await openPromptAndStepSessions(sources, 'encoder', options);
  return { encoder: prompt, decoder: step };
}
