/** KServe v2 server metadata (`GET /v2`) and model metadata (`GET /v2/models/{name}`). */
import { z } from 'zod';
import { KSERVE_V2_DATATYPES } from './datatypes.js';

/** Server metadata: name, version and the protocol extensions it supports. */
export interface KServeV2ServerMetadata {
  readonly name: string;
  readonly version: string;
  readonly extensions: readonly string[];
}

const tensorMetadataSchema = z.object({
  name: z.string(),
  datatype: z.enum(KSERVE_V2_DATATYPES),
  shape: z.array(z.number().int().min(-1)),
});

/** Model metadata; `-1` in a shape marks a variable dimension. */
export const kserveV2ModelMetadataSchema = z.object({
  name: z.string(),
  versions: z.array(z.string()).optional(),
  platform: z.string(),
  inputs: z.array(tensorMetadataSchema),
  outputs: z.array(tensorMetadataSchema),
});

/** Model metadata; `-1` in a shape marks a variable dimension. */
export type KServeV2ModelMetadata = z.infer<typeof kserveV2ModelMetadataSchema>;

/** The extensions our server implements, as `GET /v2` lists them. */
export const KSERVE_V2_SERVER_EXTENSIONS = ['binary_tensor_data', 'parameters', 'model_configuration', 'statistics'] as const;

/**
 * `GET /v2` body.
 * @example serverMetadata({ version: '0.1.0' }) // { name: 'llm-deploy', version: '0.1.0', extensions: [...] }
 */
export function serverMetadata(options: { readonly name?: string; readonly version: string }): KServeV2ServerMetadata {
  return { name: options.name ?? 'llm-deploy', version: options.version, extensions: [...KSERVE_V2_SERVER_EXTENSIONS] };
}
