import type { RuntimeSettings } from '../config/index.js';
import type { ResolveOptions } from '../storage/index.js';

/** Where remote model sources come from, as serve and fetch both read it: the cache, STORAGE_EMULATOR_HOST, HF_ENDPOINT, HF_TOKEN. */
export function sourceOptions(
  settings: Pick<RuntimeSettings, 'cacheDir' | 'storageEmulatorHost' | 'hfEndpoint' | 'hfToken'>,
): Pick<ResolveOptions, 'cacheDir' | 'gcs' | 'hub'> {
  return {
    cacheDir: settings.cacheDir,
    ...(settings.storageEmulatorHost === undefined ? {} : { gcs: { apiEndpoint: settings.storageEmulatorHost } }),
    hub: {
      ...(settings.hfEndpoint === undefined ? {} : { endpoint: settings.hfEndpoint }),
      ...(settings.hfToken === undefined ? {} : { token: settings.hfToken }),
    },
  };
}
