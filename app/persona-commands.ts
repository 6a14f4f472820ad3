/** The conversation-layer commands of `persona`: `interpret` (one line or --jsonl), `import-card`, and the provider flags `serve` shares. */
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { PersonaConfigSchema, personaConfigFromEnv, type PersonaConfig, type PersonaConfigInput } from '../protocol/persona-config.js';
import { CHARACTER_ID, MAX_CARD_IMAGE_BYTES, importCard as readCard, readCardBytes } from '../persona/character-card.js';
import { saveImportedCharacter } from '../persona/imported-characters.js';
import { resolveDataDir } from '../persona/conversation-store.js';
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

/** Env first, then flags, not yet validated (serve validates it with the rest of its settings). */
export const personaConfigInput = (values: ProviderValues): PersonaConfigInput => {
  const input = personaConfigFromEnv(process.env);
  return {
    ...input,
    ...(values.provider && { provider: values.provider as PersonaConfigInput['provider'] }),
    openai: { ...input.openai, ...(values['base-url'] && { baseUrl: values['base-url'] }), ...(values.model && { model: values.model }) },
    llama: { ...input.llama, ...(values.gguf && { modelPath: values.gguf }) },
  };
};

/** Env first, then flags; throws a message naming the bad value. */
export const personaConfigFrom = (values: ProviderValues): PersonaConfig => {
  const parsed = PersonaConfigSchema.safeParse(personaConfigInput(values));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`${issue.path.join('.') || 'config'}: ${issue.message}`);
  }
  return parsed.data;
};

/** Writes to stdout, waiting when the pipe is full so a slow reader does not make output pile up in memory. */
const writeOut = async (text: string) => {
  if (!process.stdout.write(text)) await new Promise<void>((resolve) => process.stdout.once('drain', resolve));
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
      await writeOut(`${JSON.stringify(await interpretOne(interpreter, line))}\n`);
      return 0;
    }
    // One JSON line per input line, in order; a bad line gets an "error" field and the batch goes on (exit 0).
    for await (const input of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
      let answer: string;
      try {
        answer = JSON.stringify(await interpretOne(interpreter, input));
      } catch (error) {
        answer = JSON.stringify({ input: input.length > 200 ? `${input.slice(0, 200)}…` : input, directives: [], reply: '', error: (error as Error).message });
      }
      await writeOut(`${answer}\n`);
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
    const size = statSync(file).size;
    if (size > MAX_CARD_IMAGE_BYTES) throw new Error(`it is ${(size / 2 ** 20).toFixed(1)} MiB; a card file is at most ${MAX_CARD_IMAGE_BYTES / 2 ** 20} MiB`);
    bytes = readFileSync(file);
  } catch (error) {
    throw new Error(`cannot read ${file}: ${(error as Error).message}`);
  }
  const imported = readCard(readCardBytes(bytes));
  // The id names the file: importCard made it a slug; check again here that the file stays in <data dir>/characters/.
  const folder = path.resolve(resolveDataDir(), 'characters');
  const target = path.resolve(folder, `${imported.definition.id}.json`);
  if (!CHARACTER_ID.test(imported.definition.id) || path.dirname(target) !== folder)
    throw new Error(`refusing to write ${target}: a character's file must be in ${folder}`);
  const out = saveImportedCharacter(imported);
  await writeOut(`${JSON.stringify({ id: imported.definition.id, name: imported.definition.name, file: out, greeting: imported.definition.lines.greeting?.[0] ?? null })}\n`);
  return 0;
};
