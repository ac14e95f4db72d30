import type { Command } from 'commander';
import { formatProgress, placeDirectory, resolveModelSource } from '../../storage/index.js';
import type { CommandContext } from '../context.js';
import { loadRuntimeSettings } from '../settings.js';
import { sourceOptions } from '../source-options.js';

const HELP = `
Downloads SRC the way serve does (verified, resumable, cached in LLM_DEPLOY_CACHE; only the files loading needs) and
places it at DEST with the completion marker _LLM_DEPLOY_COMPLETE, for an init container that prepares a model volume.
SRC: gs://bucket/path, /gcs/bucket/path (Vertex FUSE form), hf://org/name[@revision] or org/name (Hugging Face Hub,
HF_ENDPOINT and HF_TOKEN honoured), file:// or a local directory (copied; DEST equal to SRC is left as it is).
Files are hard-linked from the cache when it is on DEST's filesystem, copied otherwise. DEST appears complete or not
at all. A DEST this command completed is replaced (or kept when already up to date); any other non-empty DEST needs
--force. Progress and notes go to stderr, DEST's path to stdout.
Exit 0: DEST is complete. Exit 2: a bad source, a missing or gated repo, or a non-empty DEST. Exit 1: anything else.

Examples:
  $ llm-deploy fetch hf://google/flan-t5-base@main /models/flan-t5-base
  $ LLM_DEPLOY_CACHE=/models/.cache llm-deploy fetch gs://my-bucket/models/t5 /models/t5
`;

/** Flags of `llm-deploy fetch`. */
interface FetchFlags {
  readonly force?: boolean;
}

/** Runs one fetch; resolves once DEST is complete. */
export async function runFetch(source: string, destination: string, flags: FetchFlags, context: CommandContext): Promise<void> {
  const { settings } = loadRuntimeSettings(context);
  const dir = await resolveModelSource(source, {
    ...sourceOptions(settings),
    onProgress: (progress) => void context.stderr.write(`${formatProgress(progress)}\n`),
    onNotice: (line) => void context.stderr.write(`note: ${line}\n`),
  });
  const placed = await placeDirectory(dir, destination, { producer: 'llm-deploy fetch', ...(flags.force === true ? { force: true } : {}) });
  const what = { placed: 'placed', 'up-to-date': 'already up to date', 'in-place': 'already in place' }[placed.outcome];
  context.stderr.write(`fetched ${source}: ${placed.files} files, ${placed.bytes} bytes, ${what} at ${destination}\n`);
  context.stdout.write(`${destination}\n`);
}

/** Registers `llm-deploy fetch SRC DEST`. */
export function registerFetchCommand(program: Command, context: CommandContext): void {
  program
    .command('fetch')
    .description('Download a model (gs://, /gcs/, hf://, org/name, local) into a directory, verified and complete.')
    .argument('<src>', 'model source')
    .argument('<dest>', 'local directory to create (or replace, see below)')
    .option('--force', 'replace a non-empty destination that fetch did not complete')
    .addHelpText('after', HELP)
    .action(async (source: string, destination: string, flags: FetchFlags) => {
      await runFetch(source, destination, flags, context);
    });
}
