/** Conversation-layer configuration: which interpreter answers, where history lives. Defaults just work (embedded, no key). */
import { z } from 'zod';

export const PROVIDER_NAMES = ['embedded', 'openai', 'llama'] as const;

export const PersonaConfigSchema = z.object({
  /** Who interprets chat: `embedded` (no model, the default), `openai` (any OpenAI-compatible server), `llama` (local GGUF). Env: PERSONA_PROVIDER; flag --provider. */
  provider: z.enum(PROVIDER_NAMES).default('embedded'),
  /** Where the history database lives (default ~/.persona-engine). Env: PERSONA_DATA_DIR. */
  dataDir: z.string().min(1).optional(),
  /** Most tokens of earlier turns sent to an LLM (estimated at 4 characters a token); older turns are left out. */
  historyTokenBudget: z.number().int().min(100).max(1_000_000).default(3000),
  openai: z
    .object({
      /** Base URL up to `/v1`. Env: PERSONA_OPENAI_BASE_URL (or OPENAI_BASE_URL). Default: a local Ollama. */
      baseUrl: z.string().url().default('http://127.0.0.1:11434/v1'),
      /** Model name. Env: PERSONA_OPENAI_MODEL. */
      model: z.string().min(1).default('llama3.2'),
      /** API key, if the server wants one. Env: PERSONA_OPENAI_API_KEY (or OPENAI_API_KEY). */
      apiKey: z.string().optional(),
      /** Longest silence from the server before giving up, ms. Env: PERSONA_OPENAI_TIMEOUT_MS. */
      timeoutMs: z.number().int().min(100).max(600_000).default(20_000),
      /** `json_schema` (OpenAI, vLLM, LM Studio, llama.cpp server), `ollama` (Ollama's `format`), `none` (prompt only). Env: PERSONA_OPENAI_STRUCTURED. */
      structuredOutput: z.enum(['json_schema', 'ollama', 'none']).default('json_schema'),
    })
    .prefault({}),
  llama: z
    .object({
      /** Path of a local .gguf model. Env: PERSONA_LLAMA_MODEL. Required for provider `llama`. */
      modelPath: z.string().optional(),
      /** Context window in tokens. */
      contextSize: z.number().int().min(256).max(131_072).default(4096),
      /** Most tokens one reply may take. */
      maxTokens: z.number().int().min(16).max(4096).default(256),
    })
    .prefault({}),
});

export type PersonaConfig = z.infer<typeof PersonaConfigSchema>;
export type PersonaConfigInput = z.input<typeof PersonaConfigSchema>;

/** Reads the PERSONA_* variables named above; flags given later override them. */
export const personaConfigFromEnv = (env: Record<string, string | undefined>): PersonaConfigInput => {
  const number = (name: string) => {
    const v = env[name];
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n)) throw new Error(`${name} must be an integer, got "${v}"`);
    return n;
  };
  const drop = <T extends object>(o: T) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
  return drop({
    provider: env.PERSONA_PROVIDER as PersonaConfigInput['provider'],
    dataDir: env.PERSONA_DATA_DIR,
    openai: drop({
      baseUrl: env.PERSONA_OPENAI_BASE_URL ?? env.OPENAI_BASE_URL,
      model: env.PERSONA_OPENAI_MODEL,
      apiKey: env.PERSONA_OPENAI_API_KEY ?? env.OPENAI_API_KEY,
      timeoutMs: number('PERSONA_OPENAI_TIMEOUT_MS'),
      structuredOutput: env.PERSONA_OPENAI_STRUCTURED as 'json_schema' | 'ollama' | 'none' | undefined,
    }),
    llama: drop({ modelPath: env.PERSONA_LLAMA_MODEL }),
  });
};
