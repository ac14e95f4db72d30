// Functions allowed past 60 lines, each with the reason; the house-rules test fails on any other, and on stale entries.

/** One allowed long function: its file, its name as the house-rules test reports it, and why it stays long. */
export interface LongFunction {
  readonly file: string;
  readonly name: string;
  readonly reason: string;
}

/** Keep this short: split a function rather than add it here. */
export const LONG_FUNCTIONS: readonly LongFunction[] = [
  {
    file: 'src/config/env-file.ts',
    name: 'parseEnvFile',
    reason: "one pass over Docker's env-file grammar; most of its lines are the four problem records, spelled out with their facts",
  },
  {
    file: 'src/deploy/gke/driver-installer.ts',
    name: 'nvidiaDriverInstaller',
    reason: "a manifest literal (Google's driver-installer DaemonSet), data rather than logic",
  },
  {
    file: 'src/model/fastertransformer/config-from-ini.ts',
    name: 't5ConfigFromIni',
    reason: "a field-by-field mapping of FasterTransformer's config.ini onto config.json",
  },
];
