/**
 * The `llama` interpreter: a local GGUF model run by node-llama-cpp (the `llama` addition: prebuilt
 * CPU binaries, no compile), its output constrained by a grammar built from the same Directive JSON
 * Schema the `openai` interpreter sends, and streamed through the same reader, so the action is out
 * the moment its field is generated.
 */
import { existsSync } from 'node:fs';
import os from 'node:os';
import type { Llama, LlamaChatSession, LlamaContext, LlamaGrammar, LlamaModel, GbnfJsonSchema } from 'node-llama-cpp';
import { importAddition } from '../protocol/additions.js';
import { directiveJsonSchema } from '../protocol/directive.js';
import type { CharacterDefinition } from '../characters/types.js';
import { actionNames, expressionNames } from '../characters/vocabulary.js';
import type { Interpreter, InterpreterEvent, InterpreterTurn } from './interpreter.js';
import { checkLine } from './interpreter.js';
import { LlmReplyReader } from './llm-reply-reader.js';
import { buildSystemPrompt } from './system-prompt.js';

export interface LlamaOptions {
  /** Path of a local .gguf model file. Env: PERSONA_LLAMA_MODEL. */
  modelPath: string;
  /** Context size in tokens (default 2048). */
  contextSize?: number;
  /** Most tokens one reply may take (default 256). */
  maxTokens?: number;
  /** CPU threads (default: every core this process may use; node-llama-cpp would otherwise take at least 4). */
  threads?: number;
  temperature?: number;
  /** Sampling seed, for reproducible replies. */
  seed?: number;
}

type JsonSchema = Record<string, unknown>;

/**
 * node-llama-cpp's grammar makes every property required, so an optional field becomes "value or
 * null" (the model may say `"action": null`), and keywords the grammar does not read are left out.
 */
export const grammarSchemaFrom = (schema: JsonSchema): GbnfJsonSchema => {
  const convert = (node: JsonSchema): JsonSchema => {
    if (Array.isArray(node.enum)) return { enum: node.enum };
    if (node.type === 'object') {
      const required = new Set((node.required as string[] | undefined) ?? []);
      const properties: Record<string, JsonSchema> = {};
      for (const [key, value] of Object.entries(node.properties as Record<string, JsonSchema>)) {
        const converted = convert(value);
        properties[key] = required.has(key) ? converted : { oneOf: [converted, { type: 'null' }] };
      }
      return { type: 'object', properties, required: Object.keys(properties), additionalProperties: false };
    }
    if (node.type === 'string') return { type: 'string', ...(typeof node.maxLength === 'number' && { maxLength: node.maxLength }) };
    if (node.type === 'integer' || node.type === 'number' || node.type === 'boolean') return { type: node.type };
    throw new Error(`llama interpreter: the Directive JSON Schema has a part the grammar cannot express: ${JSON.stringify(node).slice(0, 80)}`);
  };
  return convert(schema) as unknown as GbnfJsonSchema;
};

interface Loaded {
  llama: Llama;
  model: LlamaModel;
  context: LlamaContext;
  session: LlamaChatSession;
  grammar: LlamaGrammar;
}

/** Pushes from callbacks, pulls with for-await: bridges node-llama-cpp's onTextChunk to a stream. */
class EventQueue {
  private items: InterpreterEvent[] = [];
  private wake: (() => void) | null = null;
  push(...events: InterpreterEvent[]) {
    this.items.push(...events);
    this.wake?.();
  }
  async *drainUntil(finished: Promise<unknown>): AsyncIterable<InterpreterEvent> {
    let done = false;
    void finished.finally(() => {
      done = true;
      this.wake?.();
    });
    for (;;) {
      while (this.items.length) yield this.items.shift()!;
      if (done) return;
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = null;
    }
  }
}

export class LlamaInterpreter implements Interpreter {
  readonly provider = 'llama' as const;
  private loading: Promise<Loaded> | null = null;
  private turns = 0;

  constructor(private readonly character: CharacterDefinition, private readonly options: LlamaOptions) {
    if (!options.modelPath) throw new Error('llama interpreter: set the path of a .gguf model (PERSONA_LLAMA_MODEL or --model)');
  }

  /** Loads the model, context and grammar once; later turns reuse them. */
  load(): Promise<Loaded> {
    this.loading ??= (async () => {
      const { modelPath } = this.options;
      if (!existsSync(modelPath)) throw new Error(`llama interpreter: no GGUF file at ${modelPath}; set PERSONA_LLAMA_MODEL to a .gguf model file`);
      // node-llama-cpp is an addition (`persona add llama`): loaded from its folder, or AdditionMissing with how to add it.
      const { getLlama, LlamaChatSession } = await importAddition<typeof import('node-llama-cpp')>('llama');
      const threads = this.options.threads ?? os.availableParallelism();
      const llama = await getLlama({ build: 'never', gpu: false, maxThreads: threads, logLevel: 'error' as never });
      const model = await llama.loadModel({ modelPath }).catch((error: Error) => {
        throw new Error(`llama interpreter: cannot load ${modelPath}: ${error.message}`);
      });
      const context = await model.createContext({ contextSize: this.options.contextSize ?? 2048, threads });
      const session = new LlamaChatSession({ contextSequence: context.getSequence(), autoDisposeSequence: false });
      const schema = directiveJsonSchema({ actions: actionNames(this.character.vocabulary), expressions: expressionNames(this.character.vocabulary) });
      // The schema is built at run time from the vocabulary, so its literal type cannot be inferred.
      const grammar = await llama.createGrammarForJsonSchema(grammarSchemaFrom(schema as JsonSchema) as never);
      return { llama, model, context, session, grammar };
    })();
    return this.loading;
  }

  async *stream(turn: InterpreterTurn, signal?: AbortSignal): AsyncIterable<InterpreterEvent> {
    checkLine(turn.line);
    const { session, grammar } = await this.load();
    session.setChatHistory([
      { type: 'system', text: turn.system ?? buildSystemPrompt(this.character) },
      ...(turn.history ?? []).map((m) => (m.role === 'assistant' ? { type: 'model' as const, response: [m.content] } : { type: m.role, text: m.content })),
    ]);
    const reader = new LlmReplyReader(this.character, `llama-${++this.turns}`);
    const queue = new EventQueue();
    let failure: Error | null = null;
    const generation = session
      .prompt(turn.line, {
        grammar,
        maxTokens: this.options.maxTokens ?? 256,
        temperature: this.options.temperature ?? 0.7,
        ...(this.options.seed !== undefined && { seed: this.options.seed }),
        signal,
        onTextChunk: (text) => {
          if (failure) return;
          try {
            queue.push(...reader.push(text));
          } catch (error) {
            failure = error as Error;
          }
        },
      })
      .catch((error: Error) => {
        failure ??= new Error(`llama interpreter: generation failed: ${error.message}`);
      });
    yield* queue.drainUntil(generation);
    await generation;
    if (failure) throw failure;
    yield* reader.finish();
  }

  async dispose(): Promise<void> {
    if (!this.loading) return;
    const loaded = await this.loading.catch(() => null);
    this.loading = null;
    if (!loaded) return;
    loaded.session.dispose();
    await loaded.context.dispose();
    await loaded.model.dispose();
    await loaded.llama.dispose();
  }
}
