/**
 * The conversation manager: one character's chat. Each line is stored at once, read by the
 * embedded interpreter at once (an explicit command reaches the engine before the next tick — the
 * speculative start), then answered by the configured LLM, whose directives confirm, adjust or
 * replace the speculative ones. If the LLM fails, the embedded interpreter's answer stands and the
 * turn says so. Engine refusals go into the next LLM turn's system prompt.
 */
import type { Directive } from '../protocol/directive.js';
import type { EngineEvent } from '../protocol/events.js';
import type { CharacterDefinition } from '../characters/types.js';
import { EmbeddedInterpreter, type Interpretation } from './embedded-interpreter.js';
import type { Interpreter, ProviderName, VocabularyNotice } from './interpreter.js';
import { checkLine } from './interpreter.js';
import { trimToBudget, type ConversationStore, type StoredMessage } from './conversation-store.js';
import { buildSystemPrompt, type CharacterStateForPrompt } from './system-prompt.js';

export type ConversationEvent =
  /** Sent to the engine; `speculative` when the embedded reading started it before the LLM answered. */
  | { type: 'directive'; directive: Directive; speculative: boolean }
  /** The LLM asked for what was already started: nothing is sent twice. */
  | { type: 'confirmed'; directiveId: string; field: 'action' | 'expression' | 'gaze' }
  | { type: 'text'; chunk: string }
  | VocabularyNotice
  /** The LLM failed; the embedded interpreter's answer stands. */
  | { type: 'fallback'; provider: ProviderName; reason: string }
  | { type: 'done'; reply: string; provider: ProviderName };

export interface ConversationOptions {
  character: CharacterDefinition;
  /** The LLM that answers; absent: the embedded interpreter answers alone. */
  llm?: Interpreter | null;
  /** Where history is kept; absent: nothing is kept between turns. */
  store?: ConversationStore | null;
  /** Queues a directive for the engine; throws when the engine cannot take it. */
  submit: (directive: Directive) => void;
  /** The character's state now, for the system prompt. */
  state?: () => CharacterStateForPrompt;
  /** Tokens of history an LLM sees (default 3000). */
  historyTokenBudget?: number;
}

export interface ConversationTurn {
  line: string;
  /** What the embedded interpreter read and already sent to the engine. */
  speculative: Directive[];
  /** The rest of the turn; iterate it to the end. */
  events: AsyncIterable<ConversationEvent>;
}

const FIELDS = ['action', 'expression', 'gaze'] as const;
const fieldName = (d: Directive, field: (typeof FIELDS)[number]) => (field === 'gaze' ? d.gaze : d[field]?.name);

/** Refusals told to the LLM next turn: the latest ones; older ones no longer matter to the user. */
export const MAX_REFUSALS_TOLD = 8;

export class Conversation {
  readonly embedded: EmbeddedInterpreter;
  private refusals: string[] = [];

  constructor(private readonly options: ConversationOptions) {
    this.embedded = new EmbeddedInterpreter(options.character);
  }

  get provider(): ProviderName {
    return this.options.llm?.provider ?? 'embedded';
  }

  /** Engine events come here; refusals are told to the LLM next turn. */
  noteEngineEvent(event: EngineEvent): void {
    if (event.type !== 'action.refused') return;
    this.refusals.push(`${event.action}: ${event.reason}`);
    if (this.refusals.length > MAX_REFUSALS_TOLD) this.refusals.shift();
  }

  history(limit?: number): StoredMessage[] {
    return this.options.store?.recent(this.options.character.id, limit) ?? [];
  }

  /**
   * Starts a turn. Synchronously: checks the line (throws on a bad one), stores it, and sends the
   * embedded reading's commands to the engine. The returned events carry the rest.
   */
  say(line: string): ConversationTurn {
    checkLine(line);
    const { character, store, llm } = this.options;
    const earlier = llm ? trimToBudget(this.history(200), this.options.historyTokenBudget ?? 3000) : [];
    store?.append(character.id, 'user', line);
    const reading = this.embedded.interpret(line, this.options.state?.()); // her state: a reply agrees with what the engine will do
    // News ("I got the job!") is no command: the LLM picks the face. Commands start now.
    const speculative = llm && reading.news ? [] : reading.directives;
    const sent = speculative.filter((d) => this.trySubmit(d) === null);
    if (!llm) {
      store?.append(character.id, 'assistant', reading.reply, { directives: sent, provider: 'embedded' });
      return { line, speculative: sent, events: this.embeddedEvents(sent, reading.reply) };
    }
    return { line, speculative: sent, events: this.llmEvents(line, llm, earlier, sent, reading) };
  }

  private trySubmit(directive: Directive): string | null {
    try {
      this.options.submit(directive);
      return null;
    } catch (error) {
      return (error as Error).message;
    }
  }

  private async *embeddedEvents(sent: Directive[], reply: string): AsyncIterable<ConversationEvent> {
    for (const directive of sent) yield { type: 'directive', directive, speculative: false };
    yield { type: 'text', chunk: reply };
    yield { type: 'done', reply, provider: 'embedded' };
  }

  private async *llmEvents(line: string, llm: Interpreter, history: ReturnType<typeof trimToBudget>, speculative: Directive[], reading: Interpretation): AsyncIterable<ConversationEvent> {
    const { character, store } = this.options;
    for (const directive of speculative) yield { type: 'directive', directive, speculative: true };
    const system = buildSystemPrompt(character, this.options.state?.(), this.refusals);
    this.refusals = [];
    const unconfirmed = new Map<string, Directive>(); // "field:name" → the speculative directive
    for (const d of speculative) for (const f of FIELDS) if (fieldName(d, f)) unconfirmed.set(`${f}:${fieldName(d, f)}`, d);
    const sent: Directive[] = [...speculative];
    let reply = '';
    try {
      for await (const event of llm.stream({ line, system, history })) {
        if (event.type === 'directive') {
          const field = FIELDS.find((f) => fieldName(event.directive, f))!;
          const key = `${field}:${fieldName(event.directive, field)}`;
          const same = unconfirmed.get(key);
          if (same) {
            unconfirmed.delete(key);
            yield { type: 'confirmed', directiveId: same.id, field };
            continue;
          }
          const refused = this.trySubmit(event.directive);
          if (refused) yield { type: 'dropped', field: 'directive', name: event.directive.id, reason: refused };
          else {
            sent.push(event.directive);
            yield { type: 'directive', directive: event.directive, speculative: false };
          }
        } else if (event.type === 'done') reply = event.reply;
        else yield event;
      }
      if (!reply) throw new Error('the model wrote no dialogue');
    } catch (error) {
      const reason = (error as Error).message;
      yield { type: 'fallback', provider: llm.provider, reason };
      // The embedded reading answers instead; news faces it held back go out now.
      if (!speculative.length) {
        for (const directive of reading.directives) {
          if (this.trySubmit(directive) === null) {
            sent.push(directive);
            yield { type: 'directive', directive, speculative: false };
          }
        }
      }
      yield { type: 'text', chunk: reading.reply };
      store?.append(character.id, 'assistant', reading.reply, { directives: sent, provider: 'embedded' });
      yield { type: 'done', reply: reading.reply, provider: 'embedded' };
      return;
    }
    store?.append(character.id, 'assistant', reply, { directives: sent, provider: llm.provider });
    yield { type: 'done', reply, provider: llm.provider };
  }
}
