/** One progress report of a transfer; `bytesDone` reaches `bytesTotal` at the end of each file. */
export interface TransferProgress {
  readonly direction: 'download' | 'upload';
  /** Object or file name relative to the transferred directory. */
  readonly file: string;
  readonly bytesDone: number;
  readonly bytesTotal: number;
}

/** Receives progress reports; called at most a few times per second per file. */
export type ProgressListener = (progress: TransferProgress) => void;

/** Files at least this large report progress while they move (smaller ones only at the end). */
export const PROGRESS_MIN_BYTES = 16 * 1024 * 1024;

/** Wraps a listener so reports for one file come at most every `intervalMs`, plus the final one. */
export function throttleProgress(listener: ProgressListener | undefined, intervalMs = 1000): ProgressListener {
  let last = 0;
  return (progress) => {
    if (listener === undefined) return;
    const now = Date.now();
    const final = progress.bytesDone >= progress.bytesTotal;
    if (!final && (progress.bytesTotal < PROGRESS_MIN_BYTES || now - last < intervalMs)) return;
    last = now;
    listener(progress);
  };
}

/** "name: 12.0 of 48.0 MiB (25%)" for logs. */
export function formatProgress(progress: TransferProgress): string {
  const mib = (bytes: number): string => (bytes / (1024 * 1024)).toFixed(1);
  const percent = progress.bytesTotal === 0 ? 100 : Math.floor((100 * progress.bytesDone) / progress.bytesTotal);
  return `${progress.direction} ${progress.file}: ${mib(progress.bytesDone)} of ${mib(progress.bytesTotal)} MiB (${percent}%)`;
}
