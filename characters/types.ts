/** A character definition: who the persona is, how it looks, what it can do and how it talks. */
import type { Look } from '../protocol/look.js';
import type { VoiceSpec } from '../protocol/voice.js';
import type { BehaviourChart } from './behaviour-chart.js';
import type { Vocabulary } from './vocabulary.js';

export interface CharacterDefinition {
  id: string;
  name: string;
  /** One paragraph, used in LLM system prompts. */
  personality: string;
  look: Look;
  /** The face the persona returns to when nothing is asked. */
  baseline: { expression: string; intensity: number };
  /** How long an asked-for expression holds before easing back to the baseline, ms. */
  expressionHoldMs: number;
  vocabulary: Vocabulary;
  /** How this character's behaviour differs from the default chart (docs/behaviour.md). */
  behaviour?: {
    /** Actions the persona does by itself after a while without input (default: look_around, stretch). */
    fidgets?: readonly string[];
    /** Swap named delays, actions or guards of the default chart: return `chart.provide({ … })`. */
    customize?: (chart: BehaviourChart) => BehaviourChart;
  };
  /**
   * Reply templates in the character's voice, keyed by action or expression name, plus
   * `unknown` (a line it did not understand), `refused` and `greeting`. `{name}` is replaced.
   * Keys the embedded interpreter also reads (each optional, with a plain default):
   * - small talk: `hello` (greeted), `introduce` (`{about}`: "I'm Kai, a relaxed … skater", from the
   *   personality), `how_are_you`, `help` (`{examples}`: a few lines it understands), `thanks`, `farewell`;
   * - what the user says: `feel_good`, `feel_bad` ("I'm not happy"), `news.happy`, `news.sad`, `news.surprised`;
   * - refusals foreseen from the persona's state: `already` (`{posture}`), `wrong_posture` (`{action}`,
   *   `{posture}`, `{fix}`: the posture change that would help), `refused` (`{reason}`);
   * - general acknowledgements: `action` (`{action}`), `expression` (`{expression}`), `gaze` (`{target}`),
   *   `negated` (`{action}`), `stop`.
   */
  lines: Record<string, readonly string[]>;
  /** How the character sounds when it speaks its replies (default: protocol/voice.ts's DEFAULT_VOICE). */
  voice?: VoiceSpec;
}
