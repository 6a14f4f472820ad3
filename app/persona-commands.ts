/** The conversation-layer commands of `persona`: `interpret` (one line or --jsonl), `import-card`, and the provider flags `serve` shares. */
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { PersonaConfigSchema, personaConfigFromEnv, type PersonaConfig } from '../protocol/persona-config.js';
import { importCard as readCard, readCardBytes } from '../persona/character-card.js';
import { saveImportedCharacter } from '../persona/imported-characters.js';
import { resolveCharacter } from './resolve-character.js';
import { createInterpreter } from '../persona/create-interpreter.js';
import { collectTurn, type Interpreter } from '../persona/interpreter.js';

export const PROVIDER_FLAGS = {
  provider: { type: 'string' },
  'base-url': { type: 'string' },
  model: { type: 'string' },
  gguf: { type: 'string' },
} as const;

export const PROVIDER_HELP = `  --provider P    who interprets chat: embedded (default, no model), openai, llama (env PERSONA_PROVIDER)
  --base-url URL  OpenAI-compatible base URL up to /v1 (env PERSONA_OPENAI_BASE_URL; default http://127.0.0.1:11434/v1, Ollama)
  --model NAME    model name on that server (env PERSONA_OPENAI_MODEL); key from PERSONA_OPENAI_API_KEY or OPENAI_API_KEY
  --gguf PATH     local .gguf model for --provider llama (env PERSONA_LLAMA_MODEL)`;

type ProviderValues = { provider?: string; 'base-url'?: string; model?: string; gguf?: string };

/** Env first, then flags; throws a message naming the bad value. */
export const personaConfigFrom = (values: ProviderValues): PersonaConfig => {
  const input = personaConfigFromEnv(process.env);
  const parsed = PersonaConfigSchema.safeParse({
    ...input,
    ...(values.provider && { provider: values.provider }),
    openai: { ...input.openai, ...(values['base-url'] && { baseUrl: values['base-url'] }), ...(values.model && { model: values.model }) },
    llama: { ...input.llama, ...(values.gguf && { modelPath: values.gguf }) },
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`${issue.path.join('.') || 'config'}: ${issue.message}`);
  }
  return parsed.data;
};

const interpretOne = async (interpreter: Interpreter, input: string) => {
  const { directives, reply } = await collectTurn(interpreter.stream({ line: input }));
  return { input, directives, reply };
};

export const interpret = async (args: string[]): Promise<number> => {
  const { values, positionals } = parseArgs({
    args,
    options: { character: { type: 'string' }, jsonl: { type: 'boolean' }, ...PROVIDER_FLAGS },
    allowPositionals: true,
  });
  const config = personaConfigFrom(values);
  const interpreter = createInterpreter(resolveCharacter(values.character ?? 'aria', config.dataDir), config);
  try {
    if (!values.jsonl) {
      const line = positionals.join(' ').trim();
      if (!line) throw new Error('give a line to interpret, e.g. persona interpret "wave twice" (or --jsonl to read stdin)');
      console.log(JSON.stringify(await interpretOne(interpreter, line)));
      return 0;
    }
    // One JSON line per input line, in order; a bad line gets an "error" field and the batch goes on (exit 0).
    for await (const input of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
      try {
        process.stdout.write(`${JSON.stringify(await interpretOne(interpreter, input))}\n`);
      } catch (error) {
        process.stdout.write(`${JSON.stringify({ input: input.length > 200 ? `${input.slice(0, 200)}…` : input, directives: [], reply: '', error: (error as Error).message })}\n`);
      }
    }
    return 0;
  } finally {
    await interpreter.dispose?.();
  }
};

export const importCard = async (args: string[]): Promise<number> => {
  const { positionals } = parseArgs({ args, allowPositionals: true });
  const file = positionals[0];
  if (!file) throw new Error('give a card file, e.g. persona import-card seraphina.png');
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    throw new Error(`cannot read ${file}: ${(error as Error).message}`);
  }
  const imported = readCard(readCardBytes(bytes));
  const out = saveImportedCharacter(imported);
  console.log(JSON.stringify({ id: imported.definition.id, name: imported.definition.name, file: out, greeting: imported.definition.lines.greeting?.[0] ?? null }));
  return 0;
};
