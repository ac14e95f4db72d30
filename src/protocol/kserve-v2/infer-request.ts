/**
 * KServe v2 inference request (`POST /v2/models/{name}/infer`), as JSON. Inputs sent with the
 * binary extension carry `parameters.binary_data_size` and no `data`.
 */
import { z } from 'zod';
import { KSERVE_V2_DATATYPES } from './datatypes.js';
import { kserveV2ParametersSchema } from './parameters.js';

/** One input tensor in the JSON part of a request. */
export const kserveV2InferRequestInputSchema = z.object({
  name: z.string().min(1),
  shape: z.array(z.number().int().nonnegative()),
  datatype: z.enum(KSERVE_V2_DATATYPES),
  parameters: kserveV2ParametersSchema.optional(),
  data: z.unknown().optional(),
});

/** One requested output (`binary_data`, `classification` parameters). */
export const kserveV2InferRequestOutputSchema = z.object({
  name: z.string().min(1),
  parameters: kserveV2ParametersSchema.optional(),
});

/** The whole JSON request. */
export const kserveV2InferRequestSchema = z.object({
  id: z.string().optional(),
  parameters: kserveV2ParametersSchema.optional(),
  inputs: z.array(kserveV2InferRequestInputSchema).min(1),
  outputs: z.array(kserveV2InferRequestOutputSchema).optional(),
});

/** One input tensor in the JSON part of a request. */
export type KServeV2InferRequestInput = z.infer<typeof kserveV2InferRequestInputSchema>;
/** One requested output. */
export type KServeV2InferRequestOutput = z.infer<typeof kserveV2InferRequestOutputSchema>;
/** A KServe v2 inference request as JSON. */
export type KServeV2InferRequest = z.infer<typeof kserveV2InferRequestSchema>;
