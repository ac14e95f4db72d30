// What the server reads from a model source when Triton or a GPU engine holds the weights.
import { COMPLETION_MARKER, PRODUCER_MANIFEST, type DownloadSelection } from '../storage/index.js';
import { TOKENIZER_FILES } from '../tokenizer/index.js';

/**
 * Base names the Triton-backed server opens: the tokenizer and its config, the model and generation configs, Triton's
 * config.pbtxt (which names the checkpoint folder), config.ini, and the producer/completion markers the layout checks.
 */
const SIDE_FILES: ReadonlySet<string> = new Set([
  ...TOKENIZER_FILES,
  'tokenizer_config.json',
  // the chat template when it is its own file (transformers' current layout); the GPU-engine fronts serve chat
  'chat_template.jinja',
  'config.json',
  'generation_config.json',
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
