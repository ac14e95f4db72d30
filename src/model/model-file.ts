// The one way model files are opened: only regular files, never blocking, never read past a size cap.
//
// Symlinks are followed wherever they point, as long as the final target is a regular file: a Hugging Face
// cache snapshot is a folder of symlinks into `../../blobs/`, outside the model folder, and that is normal
// (https://huggingface.co/docs/huggingface_hub/how-to-cache). A dangling link, or one that ends at a FIFO,
// socket, device or directory, is refused by name instead of being skipped or blocking.
import { closeSync, constants, fstatSync, lstatSync, openSync } from 'node:fs';
import { lstat, open } from 'node:fs/promises';
import type { LlmDeployError } from '../config/index.js';
import { fileMissing, modelError } from './errors.js';

/** Size caps of the small files a model directory holds (config.json is a few KB, tokenizer.json a few MB). */
export const MODEL_FILE_LIMITS = Object.freeze({
  /** config.json, generation_config.json, tokenizer_config.json, sharded indexes. */
  configJsonBytes: 16 * 1024 * 1024,
  /** tokenizer.json (mT5's 250k-piece vocabulary is about 16 MB). */
  tokenizerJsonBytes: 256 * 1024 * 1024,
  /** spiece.model (mT5's is 4.3 MB). */
  spieceModelBytes: 64 * 1024 * 1024,
  /** A FasterTransformer config.ini or config.pbtxt. */
  textBytes: 1024 * 1024,
});

// O_NONBLOCK makes open() of a FIFO return at once instead of waiting for a writer; fstat then refuses it.
// It changes nothing for regular files (https://man7.org/linux/man-pages/man2/open.2.html, O_NONBLOCK).
const OPEN_FLAGS = constants.O_RDONLY | constants.O_NONBLOCK;

/** An opened regular file: its descriptor and its size when opened. */
export interface OpenedModelFile {
  readonly descriptor: number;
  readonly bytes: number;
}

/** Opens `file` for reading when it is (or links to) a regular file; `expected` says what it should be. */
export function openModelFileSync(file: string, expected: string): OpenedModelFile {
  let descriptor: number;
  try {
    descriptor = openSync(file, OPEN_FLAGS);
  } catch (error) {
    throw openFailure(file, expected, error, linkStateSync(file));
  }
  const info = fstatSync(descriptor);
  if (!info.isFile()) {
    closeSync(descriptor);
    throw notRegular(file, expected, kindOf(info));
  }
  return { descriptor, bytes: info.size };
}

/** Options of {@link readModelFile}. */
export interface ReadModelFileOptions {
  /** What the file should be, for messages. */
  readonly expected: string;
  /** Larger files are refused before anything is read. */
  readonly maxBytes: number;
  /** An absent file gives `undefined` instead of MODEL_FILE_MISSING. */
  readonly optional?: boolean;
}

/** Reads a whole regular file of at most `maxBytes`; MODEL_FILE_MISSING, MODEL_FILE_NOT_REGULAR or MODEL_FILE_TOO_LARGE otherwise. */
export async function readModelFile(file: string, options: ReadModelFileOptions): Promise<Buffer | undefined> {
  let handle;
  try {
    handle = await open(file, OPEN_FLAGS);
  } catch (error) {
    const link = await linkState(file);
    if (options.optional === true && isNotFound(error) && link === 'absent') return undefined;
    throw openFailure(file, options.expected, error, link);
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw notRegular(file, options.expected, kindOf(info));
    if (info.size > options.maxBytes) throw tooLarge(file, info.size, options.maxBytes);
    const buffer = Buffer.alloc(info.size);
    let done = 0;
    while (done < buffer.byteLength) {
      const { bytesRead } = await handle.read(buffer, done, buffer.byteLength - done, done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    return done === buffer.byteLength ? buffer : buffer.subarray(0, done);
  } finally {
    await handle.close();
  }
}

/** True when `path` names anything, a dangling symlink included (so it is then refused by name, not skipped). */
export async function entryExists(path: string): Promise<boolean> {
  return (await linkState(path)) !== 'absent';
}

type LinkState = 'absent' | 'dangling' | 'present';

function linkStateSync(file: string): LinkState {
  try {
    return lstatSync(file).isSymbolicLink() ? 'dangling' : 'present';
  } catch {
    return 'absent';
  }
}

async function linkState(file: string): Promise<LinkState> {
  try {
    return (await lstat(file)).isSymbolicLink() ? 'dangling' : 'present';
  } catch {
    return 'absent';
  }
}

// A symlink that open() reports as missing points nowhere (or loops): say so rather than "missing".
function openFailure(file: string, expected: string, error: unknown, link: LinkState): LlmDeployError {
  if (link === 'dangling' && (isNotFound(error) || errorCode(error) === 'ELOOP')) {
    return modelError('MODEL_FILE_NOT_REGULAR', 'model file is a symlink whose target does not exist', {
      file,
      given: 'a dangling symlink',
      expected,
      cause: error,
    });
  }
  if (errorCode(error) === 'ENXIO') return notRegular(file, expected, 'a socket or a FIFO');
  return fileMissing(file, expected, error);
}

function notRegular(file: string, expected: string, kind: string): LlmDeployError {
  return modelError('MODEL_FILE_NOT_REGULAR', 'model file is not a regular file', { file, given: kind, expected });
}

function tooLarge(file: string, bytes: number, maxBytes: number): LlmDeployError {
  return modelError('MODEL_FILE_TOO_LARGE', 'model file is larger than such a file can sensibly be', {
    file,
    given: `${bytes} bytes`,
    expected: `at most ${maxBytes} bytes`,
  });
}

function kindOf(info: { isDirectory(): boolean; isFIFO(): boolean; isSocket(): boolean; isCharacterDevice(): boolean }): string {
  if (info.isDirectory()) return 'a directory';
  if (info.isFIFO()) return 'a FIFO';
  if (info.isSocket()) return 'a socket';
  if (info.isCharacterDevice()) return 'a character device';
  return 'a block device or other special file';
}

function errorCode(error: unknown): unknown {
  return typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;
}

function isNotFound(error: unknown): boolean {
  return errorCode(error) === 'ENOENT';
}
