/** Which protocol a route belongs to; decides error shapes and overload status codes. */
export type RouteFamily = 'openai' | 'tgi' | 'kserve' | 'vertex' | 'own';

/**
 * Classifies a request URL by its path.
 * @example routeFamily('/v1/completions') // 'openai'
 */
export function routeFamily(url: string, predictRoute = '/infer'): RouteFamily {
  const path = url.split('?')[0] ?? '';
  // checked first: Vertex's default predict route starts with /v1/ too
  if (path === '/infer' || path === predictRoute) return 'vertex';
  if (path.startsWith('/v1/')) return 'openai';
  if (path === '/generate' || path === '/generate_stream') return 'tgi';
  if (path === '/v2' || path.startsWith('/v2/')) return 'kserve';
  return 'own';
}
