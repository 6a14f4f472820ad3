/**
 * The one interface every interpreter (embedded, OpenAI-compatible, local GGUF) implements: a chat
 * turn in, a stream of events out — Directives the moment they are known, dialogue as it is written,
 * and one `done` with the whole reply. The conversation manager and the CLI only see this.
 */
import type { Directive } from '../protocol/directive.js';

export const PROVIDERS = ['embedded', 'openai', 'llama'] as const;
export type ProviderName = (typeof PROVIDERS)[number];

/** One message of the conversation as an LLM sees it. */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** What an interpreter gets for one turn. Embedded reads only `line`; LLMs read all of it. */
export interface InterpreterTurn {
  line: string;
  /** System prompt (personality, vocabulary, current state, recent refusals). */
  system?: string;
  /** Earlier turns, oldest first, already trimmed to the context budget. */
  history?: readonly ChatMessage[];
  /** What the persona is doing now (posture, running action, queue), so a reply agrees with what the engine will do. */
  now?: { posture: string; action?: string; queue?: readonly string[] };
}

/** A name the LLM used that is not in the vocabulary: mapped to a known one, or dropped. */
export type VocabularyNotice =
  | { type: 'mapped'; field: 'action' | 'expression'; from: string; to: string }
  | { type: 'dropped'; field: 'action' | 'expression' | 'gaze' | 'directive'; name: string; reason: string };

export type InterpreterEvent =
  | { type: 'directive'; directive: Directive }
  | { type: 'text'; chunk: string }
  | VocabularyNotice
  | { type: 'done'; reply: string };

export interface Interpreter {
  readonly provider: ProviderName;
  /** Streams one turn. Throws (from the iterator) with a reason a person can act on when the backend fails. */
  stream(turn: InterpreterTurn, signal?: AbortSignal): AsyncIterable<InterpreterEvent>;
  /** Frees models, sockets and threads. */
  dispose?(): Promise<void>;
}

/** Longest chat line any interpreter accepts, in characters; longer lines are refused, not cut. */
export const MAX_LINE_CHARS = 2000;

/** Throws a clear error for a line no interpreter should read. */
export const checkLine = (line: string): string => {
  if (typeof line !== 'string') throw new TypeError('chat line must be a string');
  if (line.length > MAX_LINE_CHARS) {
    throw new Error(`chat line too long: ${line.length} characters; the limit is ${MAX_LINE_CHARS}. Send a shorter message.`);
  }
  if (!line.trim()) throw new Error('chat line is empty: say something, e.g. "wave"');
  return line;
};

/** Collects a whole turn: the directives in order, the reply, and every vocabulary notice. */
export const collectTurn = async (events: AsyncIterable<InterpreterEvent>) => {
  const directives: Directive[] = [];
  const notices: VocabularyNotice[] = [];
  let reply = '';
  for await (const event of events) {
    if (event.type === 'directive') directives.push(event.directive);
    else if (event.type === 'mapped' || event.type === 'dropped') notices.push(event);
    else if (event.type === 'done') reply = event.reply;
  }
  return { directives, reply, notices };
};
