/** Where a Google API is reached when not at its public host (loopback tests): the gax client options. */
export interface GoogleEndpoint {
  readonly apiEndpoint: string;
  readonly port: number;
  readonly protocol: 'http' | 'https';
}

/** `protocol://apiEndpoint:port`, or `fallback` (the public host) when no endpoint is given. */
export function endpointUrl(endpoint: GoogleEndpoint | undefined, fallback: string): string {
  return endpoint === undefined ? fallback : `${endpoint.protocol}://${endpoint.apiEndpoint}:${endpoint.port}`;
}

/** The gRPC status code gax puts on its errors (also over HTTP/JSON), if any. */
export function grpcCode(error: unknown): number | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'number' ? error.code : undefined;
}
