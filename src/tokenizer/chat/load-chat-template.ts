/**
 * Finds a model directory's chat template: `chat_template.jinja` (which current transformers prefers),
 * else `chat_template` in `tokenizer_config.json`: a string, or a list of `{name, template}` of which
 * the one named `default` is used, as transformers picks it when no name is asked for.
 * @see https://github.com/huggingface/transformers/blob/main/src/transformers/tokenization_utils_base.py (get_chat_template)
 */
import { join } from 'node:path';
import { z } from 'zod';
import { LlmDeployError } from '../../config/index.js';
import { MODEL_FILE_LIMITS } from '../../model/index.js';
import { parseTokenizerJson, readTokenizerFile } from '../read-tokenizer-file.js';
import { compileChatTemplate, type ChatTemplate } from './chat-template.js';
import { chatTemplateError } from './errors.js';
import { readHfTokenizerConfig } from '../hf-tokenizer-config.js';

const JINJA_FILE = 'chat_template.jinja';
const CONFIG_FILE = 'tokenizer_config.json';

const namedTemplates = z.array(z.object({ name: z.string(), template: z.string() }));
const configTemplateSchema = z.object({ chat_template: z.union([z.string(), namedTemplates]).nullish() });

/**
 * The directory's chat template compiled with its special tokens, or undefined when it has none.
 * @throws TOKENIZER_CHAT_TEMPLATE_INVALID for a `chat_template` that is not a template or a list with `default`.
 * @example const template = await loadChatTemplate('models/my-llama');
 */
export async function loadChatTemplate(dir: string): Promise<ChatTemplate | undefined> {
  const config = await readJson(join(dir, CONFIG_FILE));
  const jinjaFile = join(dir, JINJA_FILE);
  const jinja = await readTokenizerFile(jinjaFile, {
    maxBytes: MODEL_FILE_LIMITS.configJsonBytes,
    expected: 'a Jinja chat template',
    code: 'TOKENIZER_CONFIG_INVALID',
    optional: true,
  });
  const found =
    jinja === undefined ? templateInConfig(config, join(dir, CONFIG_FILE)) : { source: jinja.toString('utf8'), file: jinjaFile };
  if (found === undefined) return undefined;
  // the tokenizer's own reading of the special tokens (special_tokens_map.json over tokenizer_config.json)
  const { specialTokensMap: specialTokens } = await readHfTokenizerConfig(dir);
  try {
    return compileChatTemplate(found.source, { file: found.file, specialTokens });
  } catch (error) {
    if (!LlmDeployError.isInstance(error)) throw error;
    return unusableTemplate(found.file, error);
  }
}

/**
 * A template the engine cannot parse fails only the chat routes, never the model's load: each
 * render answers why, as a 500 (the model directory is at fault, not the caller).
 */
function unusableTemplate(file: string, cause: LlmDeployError): ChatTemplate {
  return {
    file,
    render() {
      throw chatTemplateError('TOKENIZER_CHAT_TEMPLATE_INVALID', "the model's chat template cannot be used", {
        file,
        ...(cause.given === undefined ? {} : { given: cause.given }),
        httpStatus: 500,
        cause,
      });
    },
  };
}

function templateInConfig(config: unknown, file: string): { source: string; file: string } | undefined {
  const parsed = configTemplateSchema.safeParse(config ?? {});
  if (!parsed.success) {
    throw chatTemplateError('TOKENIZER_CHAT_TEMPLATE_INVALID', 'chat_template is neither a string nor a list of {name, template}', {
      file,
      field: 'chat_template',
    });
  }
  const template = parsed.data.chat_template;
  if (template == null) return undefined;
  if (typeof template === 'string') return { source: template, file };
  const chosen = template.find((entry) => entry.name === 'default');
  if (chosen === undefined) {
    throw chatTemplateError('TOKENIZER_CHAT_TEMPLATE_INVALID', 'chat_template lists no template named "default"', {
      file,
      field: 'chat_template',
      given: template.map((entry) => entry.name).join(', '),
      expected: 'an entry named "default"',
    });
  }
  return { source: chosen.template, file };
}

async function readJson(file: string): Promise<unknown> {
  const bytes = await readTokenizerFile(file, {
    maxBytes: MODEL_FILE_LIMITS.configJsonBytes,
    expected: 'a Hugging Face tokenizer JSON file',
    code: 'TOKENIZER_CONFIG_INVALID',
    optional: true,
  });
  return bytes === undefined ? undefined : parseTokenizerJson(bytes.toString('utf8'), file, 'TOKENIZER_CONFIG_INVALID');
}
