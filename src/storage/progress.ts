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

/** Only files at least this large report progress (small files would only add noise). */
export const PROGRESS_MIN_BYTES = 16 * 1024 * 1024;

/** Wraps a listener so one large file reports at most every `intervalMs`, plus its final report. */
export function throttleProgress(listener: ProgressListener | undefined, intervalMs = 1000): ProgressListener {
  let last = 0;
  return (progress) => {
    if (listener === undefined || progress.bytesTotal < PROGRESS_MIN_BYTES) return;
    const now = Date.now();
    const final = progress.bytesDone >= progress.bytesTotal;
    if (!final && now - last < intervalMs) return;
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
