// What the server reads from a model source when Triton or a GPU engine holds the weights.
import { MODEL_SIDE_FILES } from '../convert/index.js';
import { COMPLETION_MARKER, PRODUCER_MANIFEST, type DownloadSelection } from '../storage/index.js';

/**
 * Base names the Triton-backed server opens: the tokenizer files, chat template, model and generation configs, Triton's
 * config.pbtxt (which names the checkpoint folder), config.ini, and the producer/completion markers the layout checks.
 */
const SIDE_FILES: ReadonlySet<string> = new Set([
  // the files a converted directory keeps beside its weights: tokenizer, chat template, model and generation configs
  ...MODEL_SIDE_FILES,
  'config.ini',
  'config.pbtxt',
  PRODUCER_MANIFEST,
  COMPLETION_MARKER,
]);

/** The gs:// selection of serve in front of an engine: the side files above at any depth, never a weight shard. */
export const TRITON_SIDE_FILES: DownloadSelection = {
  label: 'triton-side-files',
  keep: (relativeName) => SIDE_FILES.has(relativeName.slice(relativeName.lastIndexOf('/') + 1)),
};
