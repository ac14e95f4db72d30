/** The zod schema of KServe v2 `parameters` objects (string, number or boolean values). */
import { z } from 'zod';

/** `{ key: string | number | boolean }` */
export const kserveV2ParametersSchema = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]));
