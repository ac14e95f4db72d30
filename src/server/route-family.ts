/** Which protocol a route belongs to; decides error shapes and overload status codes. */
export type RouteFamily = 'openai' | 'tgi' | 'kserve' | 'vertex' | 'own';

/**
 * Classifies a request URL by its path.
 * @example routeFamily('/v1/completions') // 'openai'
 */
export function routeFamily(url: string, vertexRoutes: { predictRoute?: string; healthRoute?: string } = {}): RouteFamily {
  const path = url.split('?')[0] ?? '';
  // checked first: Vertex's default predict and health routes start with /v1/ too
  if (path === '/infer' || path === vertexRoutes.predictRoute || path === vertexRoutes.healthRoute) return 'vertex';
  // vLLM's /tokenize and /detokenize live beside its OpenAI routes and answer in their error shape
  if (path.startsWith('/v1/') || path === '/tokenize' || path === '/detokenize') return 'openai';
  // `POST /` is TGI's compat route (`GET /` only redirects to the playground)
  if (path === '/' || path === '/generate' || path === '/generate_stream') return 'tgi';
  if (path === '/v2' || path.startsWith('/v2/')) return 'kserve';
  return 'own';
}
