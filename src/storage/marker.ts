import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathExists } from './path-exists.js';

/** Written last into every directory llm-deploy produces; a layout without it is unfinished. */
export const COMPLETION_MARKER = '_LLM_DEPLOY_COMPLETE';

/** Written first into every directory llm-deploy produces (what it is); with it, the marker is required. */
export const PRODUCER_MANIFEST = 'llm-deploy.json';

/** Writes the completion marker into `dir` (call only after everything else is in place). */
export async function writeCompletionMarker(dir: string, producer: string): Promise<void> {
  const body = `${JSON.stringify({ producer, completedAt: new Date().toISOString() })}\n`;
  await writeFile(join(dir, COMPLETION_MARKER), body);
}

/** True when `dir` holds the completion marker. */
export async function hasCompletionMarker(dir: string): Promise<boolean> {
  return pathExists(join(dir, COMPLETION_MARKER));
}

/** True when `dir` holds llm-deploy's producer manifest, i.e. llm-deploy wrote it. */
export async function hasProducerManifest(dir: string): Promise<boolean> {
  return pathExists(join(dir, PRODUCER_MANIFEST));
}
