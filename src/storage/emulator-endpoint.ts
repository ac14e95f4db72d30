import { storageError } from './errors.js';

// Accepted: host[:port] (the Go client's form, plain HTTP), http(s)://host[:port] (Python's form),
// each with an optional trailing "/" or "/storage/v1" (the JSON API root some emulators print).
// https://go.googlesource.com/telemetry/+/155ddd5254aa/godev/devtools/localstorage.sh (STORAGE_EMULATOR_HOST=localhost:8081),
// https://pypi.org/project/gcp-storage-emulator (STORAGE_EMULATOR_HOST=http://localhost:9023).
const ENDPOINT = /^(?:(https?):\/\/)?([^/?#\s]+?)(?:\/storage\/v1)?\/*$/i;

/**
 * The origin (`http://host:port`, no path) that a Cloud Storage emulator address means, for
 * STORAGE_EMULATOR_HOST and `apiEndpoint`: every command normalizes it the same way here.
 * @example normalizeEmulatorEndpoint('127.0.0.1:4443') // 'http://127.0.0.1:4443'
 */
export function normalizeEmulatorEndpoint(text: string): string {
  const match = ENDPOINT.exec(text.trim());
  const scheme = match?.[1]?.toLowerCase() ?? 'http';
  const authority = match?.[2];
  let url: URL | undefined;
  try {
    url = authority === undefined ? undefined : new URL(`${scheme}://${authority}`);
  } catch {
    url = undefined;
  }
  if (url === undefined || url.username !== '' || url.password !== '') {
    throw storageError('STORAGE_LOCATION_INVALID', 'not a Cloud Storage emulator address', {
      field: 'STORAGE_EMULATOR_HOST',
      httpStatus: 400,
      given: text,
      expected: 'host:port or http(s)://host:port, optionally ending in / or /storage/v1',
    });
  }
  return url.origin;
}
