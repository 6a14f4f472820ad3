/**
 * Turns the text an LLM streams (the Directive JSON of `directiveJsonSchema`) into interpreter events:
 * each of `action`, `expression`, `gaze` becomes a checked Directive the moment its field is complete,
 * `dialogue` streams as text. Shared by the OpenAI-compatible and the local GGUF interpreters.
 */
import type { CharacterDefinition } from '../characters/types.js';
import type { InterpreterEvent } from './interpreter.js';
import { StreamingJsonObjectReader } from './streaming-json.js';
import { VocabularyCheck } from './vocabulary-check.js';

const DIRECTIVE_FIELDS = ['action', 'expression', 'gaze'];

export class LlmReplyReader {
  private readonly json = new StreamingJsonObjectReader(['dialogue']);
  private readonly check: VocabularyCheck;
  private dialogue = '';
  private count = 0;

  constructor(character: CharacterDefinition, private readonly idPrefix: string) {
    this.check = new VocabularyCheck(character);
  }

  /** Feeds one chunk of the model's text; throws SyntaxError when it cannot be the Directive JSON. */
  push(chunk: string): InterpreterEvent[] {
    const events: InterpreterEvent[] = [];
    for (const update of this.json.push(chunk)) {
      if (update.type === 'text') {
        this.dialogue += update.delta;
        events.push({ type: 'text', chunk: update.delta });
      } else if (DIRECTIVE_FIELDS.includes(update.key)) {
        const { directive, notices } = this.check.check({ [update.key]: update.value }, `${this.idPrefix}-${++this.count}`);
        events.push(...notices);
        if (directive) events.push({ type: 'directive', directive });
      }
    }
    return events;
  }

  /** Ends the turn. A reply that was prose, not JSON (a server without structured output), becomes the dialogue as is. */
  finish(): InterpreterEvent[] {
    if (this.json.sawNoObject) {
      const prose = this.json.text.trim();
      if (!prose) throw new Error('the model sent an empty reply');
      return [{ type: 'text', chunk: prose }, { type: 'done', reply: prose }];
    }
    return [{ type: 'done', reply: this.dialogue.trim() }];
  }
}
