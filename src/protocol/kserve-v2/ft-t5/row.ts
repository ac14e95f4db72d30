/** One row of an FT T5 request, in protocol terms (no engine types), and its mapping to/from HF settings. */
import { PROTOCOL_ERROR_CODES, protocolError } from '../../errors.js';
import { definedOnly, type GenerationOptions, type GenerationParams, type OptionFieldName } from '../../generation-options.js';
import { FT_T5_DEFAULTS } from './contract.js';

/** One prompt of an FT request with its generation settings (FT semantics: topK 1 + topP 0 = greedy). */
export interface FtT5Row {
  /** `[seq]` prompt ids, cut to the row's `sequence_length` (includes the trailing `</s>`). */
  readonly inputIds: readonly number[];
  readonly maxNewTokens: number;
  readonly topK: number;
  readonly topP: number;
  readonly beamWidth: number;
  readonly temperature: number;
  readonly lengthPenalty: number;
  readonly repetitionPenalty: number;
  readonly beamSearchDiversityRate: number;
  /** UINT64 `random_seed`; absent = FT picks. */
  readonly seed?: bigint;
  readonly returnLogProbs: boolean;
  /** `start_id` / `end_id` when the client sent them (FT defaults: 0 and 1). */
  readonly startId?: number;
  readonly endId?: number;
}

/**
 * FT semantics -> Hugging Face `generate` settings (beam search, greedy or sampling). A non-zero
 * `beam_search_diversity_rate` has no HF equivalent here and is refused (400), not dropped.
 */
export function ftRowToGenerationOptions(row: FtT5Row): GenerationOptions {
  if (row.beamSearchDiversityRate !== 0) {
    throw protocolError('diverse beam search is not supported', {
      code: PROTOCOL_ERROR_CODES.unsupported,
      field: "input 'beam_search_diversity_rate'",
      given: String(row.beamSearchDiversityRate),
      expected: '0',
    });
  }
  const sampling = row.beamWidth === 1 && (row.topK > 1 || row.topP > 0);
  return definedOnly<GenerationOptions>({
    maxNewTokens: row.maxNewTokens,
    numBeams: row.beamWidth,
    numReturnSequences: row.beamWidth,
    doSample: sampling,
    temperature: row.temperature,
    // FT: top_k 0 with top_p > 0 is nucleus only; HF spells "no top-k" as 0 and "no top-p" as 1.
    topK: sampling ? row.topK : undefined,
    topP: sampling ? (row.topP > 0 ? row.topP : 1) : undefined,
    repetitionPenalty: row.repetitionPenalty,
    lengthPenalty: row.lengthPenalty,
    seed: row.seed === undefined ? undefined : Number(row.seed % BigInt(Number.MAX_SAFE_INTEGER + 1)),
  });
}

/** The input tensor each option comes from; options FT has no input for keep our name. */
const FT_INPUTS: Partial<Record<keyof GenerationOptions, string>> = {
  maxNewTokens: 'max_output_len',
  numBeams: 'beam_width',
  numReturnSequences: 'beam_width',
  doSample: 'runtime_top_k',
  temperature: 'temperature',
  topK: 'runtime_top_k',
  topP: 'runtime_top_p',
  repetitionPenalty: 'repetition_penalty',
  lengthPenalty: 'len_penalty',
  seed: 'random_seed',
};

/** Names an option of row `index` by its input tensor, e.g. `input 'max_output_len'[0]`. */
export function ftOptionField(index: number): OptionFieldName {
  return (option) => `input '${FT_INPUTS[option] ?? option}'[${index}]`;
}

/** The resolved settings a row is built from. */
type RowSettings = Pick<
  GenerationParams,
  'maxNewTokens' | 'numBeams' | 'doSample' | 'temperature' | 'topK' | 'topP' | 'repetitionPenalty' | 'lengthPenalty' | 'seed'
>;

/**
 * Hugging Face settings -> an FT row: greedy is topK 1 / topP 0 / temperature 1; sampling passes
 * top-k, top-p and temperature (HF top_p 1 = off = FT 0; HF top_k 0 with no top-p becomes FT top_p 1).
 */
export function ftRowFromSettings(inputIds: readonly number[], settings: RowSettings, returnLogProbs = false): FtT5Row {
  const sampling = settings.doSample && settings.numBeams === 1;
  let topK: number = FT_T5_DEFAULTS.topK;
  let topP: number = FT_T5_DEFAULTS.topP;
  if (sampling) {
    topK = settings.topK;
    topP = settings.topP >= 1 ? 0 : settings.topP;
    if (topK === 0 && topP === 0) topP = 1;
  }
  return {
    inputIds,
    maxNewTokens: settings.maxNewTokens,
    topK,
    topP,
    beamWidth: settings.numBeams,
    // HF applies temperature only when sampling; FT would divide greedy logits by it too.
    temperature: sampling ? settings.temperature : FT_T5_DEFAULTS.temperature,
    // Length penalty only matters to beam search, in HF and FT alike.
    lengthPenalty: settings.numBeams > 1 ? settings.lengthPenalty : FT_T5_DEFAULTS.lengthPenalty,
    repetitionPenalty: settings.repetitionPenalty,
    beamSearchDiversityRate: FT_T5_DEFAULTS.beamSearchDiversityRate,
    ...(settings.seed === undefined ? {} : { seed: BigInt(settings.seed) }),
    returnLogProbs,
  };
}
