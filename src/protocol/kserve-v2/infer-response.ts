/** KServe v2 inference response, as JSON. Binary outputs carry `parameters.binary_data_size` and no `data`. */
import { z } from 'zod';
import { KSERVE_V2_DATATYPES } from './datatypes.js';
import { kserveV2ParametersSchema } from './parameters.js';

/** One output tensor in the JSON part of a response. */
export const kserveV2InferResponseOutputSchema = z.object({
  name: z.string().min(1),
  shape: z.array(z.number().int().nonnegative()),
  datatype: z.enum(KSERVE_V2_DATATYPES),
  parameters: kserveV2ParametersSchema.optional(),
  data: z.unknown().optional(),
});

/** The whole JSON response. */
export const kserveV2InferResponseSchema = z.object({
  model_name: z.string(),
  model_version: z.string().optional(),
  id: z.string().optional(),
  parameters: kserveV2ParametersSchema.optional(),
  outputs: z.array(kserveV2InferResponseOutputSchema),
});

/** One output tensor in a response. */
export type KServeV2InferResponseOutput = z.infer<typeof kserveV2InferResponseOutputSchema>;
/** A KServe v2 inference response as JSON. */
export type KServeV2InferResponse = z.infer<typeof kserveV2InferResponseSchema>;
