/**
 * Reads chat-templates.json (transformers 4.36 renders copied from the causal fixtures). The
 * conversations themselves are not stored there; they are read back from the ChatML renders of
 * `llama-gqa`, which write every message as `<|im_start|>{role}\n{content}<|im_end|>\n`.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { ChatMessage } from '../chat-message.js';

const renderSchema = z.object({
  conversation: z.string(),
  add_generation_prompt: z.boolean(),
  rendered: z.string().optional(),
  token_ids: z.array(z.number().int()).optional(),
  error: z.object({ type: z.string(), message: z.string() }).optional(),
});
const templateSchema = z.object({
  template: z.string(),
  special_tokens_map_passed: z.record(z.string(), z.union([z.string(), z.array(z.string())])).optional(),
  renders: z.array(renderSchema),
});
const fileSchema = z.object({ templates: z.record(z.string(), templateSchema) });

/** One recorded render. */
export type ChatRenderCase = z.infer<typeof renderSchema>;

/** The fixture: templates by family and the conversations by name. */
export interface ChatFixtures {
  readonly templates: Readonly<Record<string, z.infer<typeof templateSchema>>>;
  readonly conversations: ReadonlyMap<string, readonly ChatMessage[]>;
}

const CHATML_TURN = /<\|im_start\|>(\w+)\n([\s\S]*?)<\|im_end\|>\n/g;

/** Loads the fixture and rebuilds the conversations. */
export function readChatFixtures(): ChatFixtures {
  const file = fileSchema.parse(JSON.parse(readFileSync(new URL('./chat-templates.json', import.meta.url), 'utf8')));
  const chatml = file.templates['llama-gqa'];
  if (chatml === undefined) throw new Error('assert: chat-templates.json holds llama-gqa');
  const conversations = new Map<string, ChatMessage[]>();
  for (const render of chatml.renders) {
    if (render.add_generation_prompt || render.rendered === undefined) continue;
    const messages = [...render.rendered.matchAll(CHATML_TURN)].map((match) => ({ role: match[1] ?? '', content: match[2] ?? '' }));
    conversations.set(render.conversation, messages);
  }
  return { templates: file.templates, conversations };
}

/** A fixture directory next to this file (tokenizer_config.json and friends of one family). */
export function fixtureDir(family: string): string {
  return new URL(`./${family}/`, import.meta.url).pathname;
}
