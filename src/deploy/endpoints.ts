/** Ready-to-paste commands for a deployment reachable at `baseUrl` (HTTP API) and `kserveUrl` (raw KServe v2). */
export function endpointSummary(options: { baseUrl: string; kserveUrl: string; apiKeySet: boolean; example: string }): string {
  const auth = options.apiKeySet ? ` -H "Authorization: Bearer $API_KEY"` : '';
  const body = JSON.stringify({ instances: [options.example] });
  return [
    `HTTP API:     ${options.baseUrl}`,
    `Playground:   ${options.baseUrl}/ui`,
    `KServe v2:    ${options.kserveUrl}/v2`,
    '',
    'Try it:',
    `  curl ${options.baseUrl}/health`,
    `  curl -X POST ${options.baseUrl}/infer -H 'Content-Type: application/json'${auth} -d '${body}'`,
    `  curl ${options.kserveUrl}/v2/models/fastertransformer${auth}`,
    `  open ${options.baseUrl}/ui`,
  ].join('\n');
}
