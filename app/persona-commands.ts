/**
 * The conversation-layer commands of `persona`: `interpret` (one line or --jsonl), `import-card`, the
 * provider flags `serve` shares, and `ConfigError`, how any command reports bad settings.
 */
import { readFileSync, statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { z } from 'zod';
import { PersonaConfigSchema, personaConfigFromEnv, type PersonaConfig, type PersonaConfigInput } from '../protocol/persona-config.js';
import { MAX_INBOUND_BYTES } from '../protocol/wire.js';
import { MAX_CARD_IMAGE_BYTES, importCard as readCard, readCardBytes } from '../persona/character-card.js';
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

/**
 * Bad settings. `problems` are finished lines; `invalid` holds a schema's issues, which `main`
 * (app/cli.ts) words one line each, naming the flag or variable to fix. Either way it exits 2.
 */
export class ConfigError extends Error {
  constructor(
    readonly problems: string[],
    readonly invalid?: { issues: readonly z.core.$ZodIssue[]; input: unknown; given: Record<string, unknown> },
  ) {
    super([...problems, ...(invalid?.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`) ?? [])].join('; '));
  }
}

type ProviderValues = { provider?: string; 'base-url'?: string; model?: string; gguf?: string };

/** Env first, then flags, not yet validated (serve validates it with the rest of its settings). */
export const personaConfigInput = (values: ProviderValues): PersonaConfigInput => {
  let input: PersonaConfigInput;
  try {
    input = personaConfigFromEnv(process.env);
  } catch (error) {
    throw new ConfigError([(error as Error).message]); // a variable that is not a number
  }
  return {
    ...input,
    ...(values.provider && { provider: values.provider as PersonaConfigInput['provider'] }),
    openai: { ...input.openai, ...(values['base-url'] && { baseUrl: values['base-url'] }), ...(values.model && { model: values.model }) },
    llama: { ...input.llama, ...(values.gguf && { modelPath: values.gguf }) },
  };
};

/** Env first, then flags; throws a ConfigError with every problem. Issue paths are those `serve` sees: persona.provider. */
export const personaConfigFrom = (values: ProviderValues): PersonaConfig => {
  const input = personaConfigInput(values);
  const parsed = PersonaConfigSchema.safeParse(input);
  if (!parsed.success)
    throw new ConfigError([], { issues: parsed.error.issues.map((issue) => ({ ...issue, path: ['persona', ...issue.path] })), input: { persona: input }, given: values });
  return parsed.data;
};

/** The data dir setting alone (PERSONA_DATA_DIR), for commands that need nothing else. */
const dataDirFrom = (): string | undefined => {
  const input = { dataDir: process.env.PERSONA_DATA_DIR };
  const parsed = PersonaConfigSchema.pick({ dataDir: true }).safeParse(input);
  if (!parsed.success)
    throw new ConfigError([], { issues: parsed.error.issues.map((issue) => ({ ...issue, path: ['persona', ...issue.path] })), input: { persona: input }, given: {} });
  return parsed.data.dataDir;
};

/** Writes to stdout, waiting when the pipe is full so a slow reader does not make output pile up in memory. */
const writeOut = async (text: string) => {
  if (!process.stdout.write(text)) await new Promise<void>((resolve) => process.stdout.once('drain', resolve));
};

const interpretOne = async (interpreter: Interpreter, input: string) => {
  // A fresh persona stands, idle: "stand up" gets "already standing", as she would say it on the stage.
  const { directives, reply } = await collectTurn(interpreter.stream({ line: input, now: { posture: 'standing', action: 'idle', queue: [] } }));
  return { input, directives, reply };
};

/** Most bytes one --jsonl input line may hold: as much as one WebSocket message (protocol/wire.ts). */
export const MAX_JSONL_LINE_BYTES = MAX_INBOUND_BYTES;

/** A line of input, or the start of one that ran past the limit (the rest of it is read and dropped). */
export type InputLine = { line: string } | { tooLong: string };

/**
 * The lines of `input`, split at \n, \r\n or \r as readline splits them, holding at most `maxBytes` of
 * one line. A longer line is reported as `tooLong` as soon as it passes the limit, not when (or if)
 * its end arrives, and reading goes on with the next line: one endless line cannot fill memory.
 */
export async function* boundedLines(input: AsyncIterable<Buffer | string>, maxBytes: number): AsyncGenerator<InputLine> {
  let pieces: Buffer[] = [];
  let held = 0;
  let skipping = false; // inside a line already reported as too long
  let afterCR = false; // the last chunk ended with \r: a \n starting the next one belongs to it
  const take = () => {
    const text = Buffer.concat(pieces, held).toString('utf8');
    pieces = [];
    held = 0;
    return text;
  };
  for await (const chunk of input) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    if (bytes.length === 0) continue;
    let start = afterCR && bytes[0] === 0x0a ? 1 : 0;
    afterCR = false;
    while (start <= bytes.length) {
      let end = start;
      while (end < bytes.length && bytes[end] !== 0x0a && bytes[end] !== 0x0d) end++;
      if (!skipping && end > start) {
        const room = maxBytes - held;
        pieces.push(bytes.subarray(start, start + Math.min(room, end - start)));
        held += Math.min(room, end - start);
        if (end - start > room) {
          skipping = true;
          yield { tooLong: take() };
        }
      }
      if (end === bytes.length) break;
      if (skipping) skipping = false;
      else yield { line: take() };
      if (bytes[end] === 0x0d) {
        if (end + 1 === bytes.length) afterCR = true;
        else if (bytes[end + 1] === 0x0a) end++;
      }
      start = end + 1;
    }
  }
  if (!skipping && held > 0) yield { line: take() };
}

/** At most 200 characters of an input for its answer. */
const shortInput = (input: string, cut = input.length > 200) => (cut ? `${input.slice(0, 200)}…` : input);

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
    // A line longer than MAX_JSONL_LINE_BYTES gets its error line and is skipped.
    for await (const read of boundedLines(process.stdin, MAX_JSONL_LINE_BYTES)) {
      let answer: string;
      if ('tooLong' in read) {
        const error = `line too long: more than ${MAX_JSONL_LINE_BYTES} bytes; the limit is ${MAX_JSONL_LINE_BYTES} bytes (${MAX_JSONL_LINE_BYTES / 1024} KiB). Skipped to the next line.`;
        answer = JSON.stringify({ input: shortInput(read.tooLong, true), directives: [], reply: '', error });
      } else {
        try {
          answer = JSON.stringify(await interpretOne(interpreter, read.line));
        } catch (error) {
          answer = JSON.stringify({ input: shortInput(read.line), directives: [], reply: '', error: (error as Error).message });
        }
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
  const dataDir = dataDirFrom();
  let bytes: Buffer;
  try {
    const size = statSync(file).size;
    if (size > MAX_CARD_IMAGE_BYTES) throw new Error(`it is ${(size / 2 ** 20).toFixed(1)} MiB; a card file is at most ${MAX_CARD_IMAGE_BYTES / 2 ** 20} MiB`);
    bytes = readFileSync(file);
  } catch (error) {
    throw new Error(`cannot read ${file}: ${(error as Error).message}`);
  }
  const imported = readCard(readCardBytes(bytes));
  const out = saveImportedCharacter(imported, dataDir); // which writes only inside <data dir>/characters/
  await writeOut(`${JSON.stringify({ id: imported.definition.id, name: imported.definition.name, file: out, greeting: imported.definition.lines.greeting?.[0] ?? null })}\n`);
  return 0;
};
