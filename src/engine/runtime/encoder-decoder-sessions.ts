/** Opens an encoder-decoder family's two graphs (T5, BART) on onnxruntime with the measured thread defaults. */
import { requireGraph, type GraphSources } from '../graph/graph-set.js';
import { openGraphSession, type GraphSession } from '../session/ort.js';

/** Threads when the caller does not say: measured (see the README's engine section). */
const DEFAULT_THREADS = { encoder: 2, decoder: 1 };

/** Options of {@link openEncoderDecoderSessions}. */
export interface EncoderDecoderSessionOptions {
  /** onnxruntime intra-op threads for both graphs; 0 or absent = the measured defaults. */
  readonly threads?: number;
  readonly provider: 'cpu' | 'auto';
  /** Family name for the sessions' labels when the graphs come as bytes. */
  readonly label: string;
}

/** The encoder and decoder-step sessions, decoder first; the decoder is closed again when the encoder cannot be opened. */
export async function openEncoderDecoderSessions(
  sources: GraphSources,
  options: EncoderDecoderSessionOptions,
): Promise<{ readonly encoder: GraphSession; readonly decoder: GraphSession }> {
  const encoderSource = requireGraph(sources, 'encoder');
  const decoderSource = requireGraph(sources, 'decoder-step');
  const threads =
    options.threads !== undefined && options.threads > 0 ? { encoder: options.threads, decoder: options.threads } : DEFAULT_THREADS;
  const labelOf = (source: Uint8Array | string, graph: string): string =>
    typeof source === 'string' ? source : `${options.label} ${graph} graph`;
  // The decoder first: its session init briefly holds the head twice (mapped and prepacked), and that
  // peak then does not sit on top of the encoder's weights.
  const decoder = await openGraphSession(decoderSource, {
    threads: threads.decoder,
    provider: options.provider,
    label: labelOf(decoderSource, 'decoder'),
  });
  try {
    const encoder = await openGraphSession(encoderSource, {
      threads: threads.encoder,
      provider: options.provider,
      label: labelOf(encoderSource, 'encoder'),
    });
    return { encoder, decoder };
  } catch (error) {
    await decoder.close();
    throw error;
  }
}
