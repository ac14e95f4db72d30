import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildFamilyGraphsInto, familyForConfig, GRAPH_MANIFEST_FILE, type Quantize } from '../../engine/index.js';
import { PRODUCER_MANIFEST, type TransferProgress } from '../../storage/index.js';
import { discardStaging, finishDestination, prepareDestination } from '../destination.js';
import { copySideFiles } from '../side-files.js';
import { openSource, sourceError, type ConvertAccess } from '../source.js';

/** Options of {@link convertToOnnxDirectory}. */
export interface OnnxDirectoryOptions extends ConvertAccess {
  /** Hugging Face checkpoint or FasterTransformer layout: local path, file:// or gs://. */
  readonly source: string;
  /** Directory to create: local path, file:// or gs://. */
  readonly destination: string;
  /** `int8` stores linear weights as 8-bit blocks (smaller, faster on CPU, slightly different logits). */
  readonly quantize?: Quantize;
  readonly onInfo?: (message: string) => void;
  readonly onTransfer?: (progress: TransferProgress) => void;
}

/** What was written. */
export interface OnnxDirectoryResult {
  readonly destination: string;
  /** Graph files (relative names), external data included. */
  readonly graphFiles: readonly string[];
  /** Tokenizer/config files copied beside the graphs. */
  readonly sideFiles: readonly string[];
  readonly quantize: Quantize;
}

/**
 * Writes the engine's graphs of the checkpoint's family (T5/BART: encoder + decoder step; decoder-only:
 * prefill + decoder step; each with its KV cache inputs) plus config, tokenizer and generation config, so `serve` opens the graphs directly instead of rebuilding them at start-up.
 * @example await convertToOnnxDirectory({ source: './flan-t5', destination: './flan-t5-onnx', cacheDir })
 */
export async function convertToOnnxDirectory(options: OnnxDirectoryOptions): Promise<OnnxDirectoryResult> {
  const destination = await prepareDestination(options);
  try {
    const source = await openSource({
      ...options,
      ...(destination.client === undefined ? {} : { client: destination.client }),
      ...(options.onTransfer === undefined ? {} : { onTransfer: options.onTransfer }),
    });
    const quantize = options.quantize ?? 'none';
    const model = source.model;
    // The family table decides which graphs are written (its rows' roles and files) and is refused naming the served ones.
    let family;
    try {
      family = familyForConfig(source.config);
    } catch (cause) {
      throw sourceError(cause, source.dir);
    }
    let weights;
    try {
      weights = await model.openWeights();
    } catch (cause) {
      throw sourceError(cause, source.dir);
    }
    options.onInfo?.(`building ${family.name} ONNX graphs from ${weights.source} (quantize ${quantize})`);
    await mkdir(destination.staging, { recursive: true });
    const manifest = { format: 'onnx', graphs: GRAPH_MANIFEST_FILE, family: family.name, quantize, source: options.source };
    await writeFile(join(destination.staging, PRODUCER_MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
    let graphs;
    try {
      // Weights always go to external data files, streamed as they are read (no JavaScript copy of the
      // checkpoint): onnxruntime maps them instead of parsing them out of the protobuf, which took
      // session creation from about 4.5 s to 1.3-2.4 s for t5-small here.
      graphs = await buildFamilyGraphsInto(destination.staging, family, { config: source.config, weights }, { quantize });
    } finally {
      weights.close();
    }
    const sideFiles = await copySideFiles(model.tokenizerDir, destination.staging);
    if (model.generationDir !== model.tokenizerDir) await copySideFiles(model.generationDir, destination.staging);
    const where = await finishDestination(destination, [], options.onTransfer);
    return {
      destination: where,
      graphFiles: [...graphs.graphs.map((graph) => graph.file), ...graphs.externalDataFiles],
      sideFiles,
      quantize,
    };
  } finally {
    await discardStaging(destination);
  }
}
