/**
 * Escapes a configured path for Fastify's router, where `:` starts a parameter
 * (Vertex's default predict route ends in `:predict`).
 * @example literalPath('/v1/endpoints/1/deployedModels/2:predict') // '/v1/endpoints/1/deployedModels/2::predict'
 */
export function literalPath(path: string): string {
  return path.replaceAll(':', '::');
}
