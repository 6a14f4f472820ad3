/**
 * The `openai` interpreter: any OpenAI-compatible chat completions endpoint (OpenAI, Ollama,
 * llama.cpp server, LM Studio, vLLM), streamed over server-sent events, asked for the Directive JSON
 * with `response_format` json_schema (or Ollama's `format`), and read with a tolerant streaming parser,
 * so the action is out the moment its field is complete.
 */
import { directiveJsonSchema } from '../protocol/directive.js';
import type { CharacterDefinition } from '../characters/types.js';
import { actionNames, expressionNames } from '../characters/vocabulary.js';
import type { ChatMessage, Interpreter, InterpreterEvent, InterpreterTurn } from './interpreter.js';
import { checkLine } from './interpreter.js';
import { LlmReplyReader } from './llm-reply-reader.js';
import { buildSystemPrompt } from './system-prompt.js';

export interface OpenAiOptions {
  /** Base URL up to and including `/v1`, e.g. `https://api.openai.com/v1` or `http://127.0.0.1:11434/v1` (Ollama). */
  baseUrl: string;
  /** Model name as the server knows it. */
  model: string;
  /** Bearer key; local servers usually need none. */
  apiKey?: string;
  /** Longest wait for the first byte and between two chunks, ms (default 20 000). */
  timeoutMs?: number;
  /**
   * How to ask for the Directive JSON: `json_schema` (OpenAI, vLLM, LM Studio, llama.cpp server),
   * `ollama` (Ollama's `format`), or `none` (prompt only; the tolerant parser copes).
   */
  structuredOutput?: 'json_schema' | 'ollama' | 'none';
  temperature?: number;
}

/** One server-sent event's data, parsed; `[DONE]` ends the stream. */
async function* serverSentData(body: ReadableStream<Uint8Array>, url: string): AsyncIterable<unknown> {
  const decoder = new TextDecoder();
  let buffer = '';
  let data: string[] = [];
  const reader = body.getReader();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      buffer += done ? decoder.decode() : decoder.decode(value, { stream: true });
      let newline: number;
      while ((newline = buffer.search(/\r?\n/)) >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(buffer[newline] === '\r' ? newline + 2 : newline + 1);
        if (line === '') {
          if (data.length) {
            const payload = data.join('\n');
            data = [];
            if (payload.trim() === '[DONE]') return;
            try {
              yield JSON.parse(payload);
            } catch {
              throw new Error(`${url} sent an event whose data is not JSON: ${JSON.stringify(payload.slice(0, 120))}`);
            }
          }
        } else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
        // Other fields (event:, id:, retry:) and comments (":") carry nothing we need.
      }
      if (done) {
        if (data.length && data.join('\n').trim() !== '[DONE]') throw new Error(`${url} ended the stream in the middle of an event`);
        return;
      }
    }
  } finally {
    reader.releaseLock();
  }
}

const describeFetchError = (error: unknown, url: string, timeoutMs: number): Error => {
  const e = error as Error & { cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return new Error(`no answer from ${url} within ${timeoutMs} ms (timeout): is the model loaded and the server responsive?`);
  const code = e.cause?.code ?? e.cause?.message ?? e.message;
  return new Error(`cannot reach ${url} (${code}): is the server running, and is the base URL right?`);
};

export class OpenAiInterpreter implements Interpreter {
  readonly provider = 'openai' as const;
  private readonly schema: ReturnType<typeof directiveJsonSchema>;
  private turns = 0;

  constructor(private readonly character: CharacterDefinition, private readonly options: OpenAiOptions) {
    if (!options.baseUrl) throw new Error('openai interpreter: set a base URL (PERSONA_OPENAI_BASE_URL), e.g. http://127.0.0.1:11434/v1');
    if (!options.model) throw new Error('openai interpreter: set a model name (PERSONA_OPENAI_MODEL)');
    this.schema = directiveJsonSchema({ actions: actionNames(character.vocabulary), expressions: expressionNames(character.vocabulary) });
  }

  private body(turn: InterpreterTurn) {
    const messages: ChatMessage[] = [
      { role: 'system', content: turn.system ?? buildSystemPrompt(this.character) },
      ...(turn.history ?? []),
      { role: 'user', content: turn.line },
    ];
    const { $schema: _, ...schema } = this.schema as Record<string, unknown>;
    const mode = this.options.structuredOutput ?? 'json_schema';
    return {
      model: this.options.model,
      stream: true,
      messages,
      ...(this.options.temperature !== undefined && { temperature: this.options.temperature }),
      ...(mode === 'json_schema' && { response_format: { type: 'json_schema', json_schema: { name: 'directive', schema } } }),
      ...(mode === 'ollama' && { format: schema }),
    };
  }

  async *stream(turn: InterpreterTurn, signal?: AbortSignal): AsyncIterable<InterpreterEvent> {
    checkLine(turn.line);
    const url = `${this.options.baseUrl.replace(/\/+$/, '')}/chat/completions`;
    const timeoutMs = this.options.timeoutMs ?? 20_000;
    // One controller: aborted by the caller, or when the server is silent for timeoutMs.
    const controller = new AbortController();
    const onAbort = () => controller.abort(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    let timer = setTimeout(() => controller.abort(new DOMException('timeout', 'TimeoutError')), timeoutMs);
    const rearm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => controller.abort(new DOMException('timeout', 'TimeoutError')), timeoutMs);
    };
    const timedOut = () => controller.signal.reason instanceof DOMException && controller.signal.reason.name === 'TimeoutError';
    try {
      let response: Response;
      try {
        response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...(this.options.apiKey && { authorization: `Bearer ${this.options.apiKey}` }) },
          body: JSON.stringify(this.body(turn)),
          signal: controller.signal,
        });
      } catch (error) {
        throw describeFetchError(timedOut() ? controller.signal.reason : error, url, timeoutMs);
      }
      if (!response.ok || !response.body) {
        const text = (await response.text().catch(() => '')).slice(0, 300);
        const hint = response.status === 401 || response.status === 403 ? ' Check the API key (PERSONA_OPENAI_API_KEY).' : response.status === 404 ? ' Check the base URL and the model name.' : '';
        throw new Error(`${url} answered HTTP ${response.status}: ${text || response.statusText}.${hint}`);
      }
      const reader = new LlmReplyReader(this.character, `llm-${++this.turns}`);
      try {
        for await (const data of serverSentData(response.body, url)) {
          rearm();
          const chunk = data as { error?: { message?: string }; choices?: { delta?: { content?: string | null } }[] };
          if (chunk.error) throw new Error(`${url} reported an error mid-stream: ${chunk.error.message ?? JSON.stringify(chunk.error)}`);
          const content = chunk.choices?.[0]?.delta?.content;
          if (content) yield* reader.push(content);
        }
      } catch (error) {
        if (timedOut()) throw describeFetchError(controller.signal.reason, url, timeoutMs);
        if (error instanceof SyntaxError) throw new Error(`the model's reply is not the Directive JSON: ${error.message}`);
        throw error;
      }
      yield* reader.finish();
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if (!controller.signal.aborted) controller.abort();
    }
  }
}
