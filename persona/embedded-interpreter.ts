/**
 * The embedded interpreter: plain-language lines → Directives, with no model, in well under 1 ms.
 * It knows the character's vocabulary synonyms, politeness, negation ("don't wave"), counts
 * ("nod twice"), sequences ("sit down and then wave"), intensity words ("very happy") and gaze
 * ("look left"). It answers in the character's voice from its reply templates.
 */
import type { Directive, GazeTarget } from '../protocol/directive.js';
import type { CharacterDefinition } from '../characters/types.js';

export interface Interpretation {
  input: string;
  directives: Directive[];
  reply: string;
}

const COUNT_WORDS: Record<string, number> = { once: 1, twice: 2, thrice: 3, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6 };
const NEGATIONS = /\b(don'?t|do not|never|no more)\b/;
/** "stop waving": the action named after these words is cancelled, not started. */
const CANCELS = /\b(stop|quit|no more)\b/;
const STRONG = /\b(very|really|so|super|extremely|totally|incredibly)\b/;
const WEAK = /\b(a bit|a little|slightly|somewhat|kind of|kinda|a tad)\b/;
const GAZE_PHRASES: [RegExp, GazeTarget][] = [
  [/\blook(ing)? (at )?(me|here)\b|\blook at the camera\b|\beye contact\b/, 'camera'],
  [/\blook(ing)? (to the |to your )?left\b/, 'left'],
  [/\blook(ing)? (to the |to your )?right\b/, 'right'],
  [/\blook(ing)? up\b/, 'up'],
  [/\blook(ing)? down\b/, 'down'],
  [/\blook(ing)? away\b/, 'away'],
];

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const phrase = (s: string) => new RegExp(`\\b${escape(s)}\\b`);

/** Splits a line into clauses that each ask for one thing, in order. */
const clauses = (line: string): string[] =>
  line
    .split(/\b(?:and then|then|after that|and)\b|[,;.!?]+/)
    .map((c) => c.trim())
    .filter(Boolean);

const countIn = (clause: string): number | undefined => {
  const numeric = clause.match(/\b(\d+)\s*(x|times)\b/);
  if (numeric) return Math.min(10, Math.max(1, Number(numeric[1])));
  for (const [word, n] of Object.entries(COUNT_WORDS)) {
    if (new RegExp(`\\b${word}\\b( times)?`).test(clause) && (word.endsWith('ce') || /\btimes\b/.test(clause))) return n;
  }
  return undefined;
};

/** Stable pick among reply variants, so the same line gets the same reply. */
const pick = (options: readonly string[] | undefined, seed: string): string | undefined => {
  if (!options?.length) return undefined;
  let h = 0;
  for (let i = 0; i < seed.length; i++) h = (h * 31 + seed.charCodeAt(i)) >>> 0;
  return options[h % options.length];
};

const fill = (template: string, values: Record<string, string>) => template.replace(/\{(\w+)\}/g, (_, k: string) => values[k] ?? '');

export class EmbeddedInterpreter {
  private readonly actionMatchers: { name: string; pattern: RegExp; length: number }[];
  private readonly expressionMatchers: { name: string; pattern: RegExp; length: number }[];
  private counter = 0;

  constructor(private readonly character: CharacterDefinition) {
    const byLength = <T extends { length: number }>(list: T[]) => list.sort((a, b) => b.length - a.length);
    this.actionMatchers = byLength(
      character.vocabulary.actions.flatMap((a) => a.synonyms.map((s) => ({ name: a.name, pattern: phrase(s), length: s.length }))),
    );
    this.expressionMatchers = byLength(
      character.vocabulary.expressions.flatMap((e) =>
        [e.name, ...e.synonyms].map((s) => ({ name: e.name, pattern: phrase(s), length: s.length })),
      ),
    );
  }

  interpret(input: string): Interpretation {
    const line = input.toLowerCase().replace(/[“”"]/g, '').replace(/’/g, "'");
    const directives: Directive[] = [];
    const replies: string[] = [];
    const values = { name: this.character.name };
    for (const clause of clauses(line)) {
      let rest = ` ${clause} `;
      let gaze: GazeTarget | undefined;
      for (const [pattern, target] of GAZE_PHRASES) {
        if (pattern.test(rest)) {
          gaze = target;
          rest = rest.replace(pattern, ' ');
          break;
        }
      }
      let action = this.actionMatchers.find((m) => m.pattern.test(rest));
      if (action) rest = rest.replace(action.pattern, ' ');
      const expression = this.expressionMatchers.find((m) => m.pattern.test(rest));
      // "stop waving" asks to cancel what runs: that is the `stop` control, where the vocabulary has one.
      const stop = this.actionMatchers.find((m) => m.name === 'stop');
      if (action && action.name !== 'stop' && CANCELS.test(rest) && stop) action = stop;
      const negated = NEGATIONS.test(rest);
      if (negated) {
        const what = action?.name ?? expression?.name;
        if (what) replies.push(fill(pick(this.character.lines.negated, input) ?? "Okay, I won't {action}.", { ...values, action: what.replace(/_/g, ' ') }));
        continue;
      }
      if (!action && !expression && !gaze) continue;
      const intensity = STRONG.test(clause) ? 1 : WEAK.test(clause) ? 0.35 : 0.8;
      const directive: Directive = { id: `embedded-${++this.counter}`, source: 'user' };
      if (action) {
        const repeat = countIn(clause);
        directive.action = repeat ? { name: action.name, repeat } : { name: action.name };
        // Later steps of one line wait for the earlier ones ("turn around and then wave").
        if (directives.some((d) => d.action)) directive.action.queue = true;
      }
      if (expression) directive.expression = { name: expression.name, intensity: expression.name === 'neutral' ? 0 : intensity };
      if (gaze) directive.gaze = gaze;
      directives.push(directive);
      const key = action?.name ?? expression?.name ?? 'gaze';
      // Actions and expressions without lines of their own get the character's general acknowledgement.
      const fallback = action ? this.character.lines.action : expression ? this.character.lines.expression : undefined;
      const reply = pick(this.character.lines[key] ?? fallback, input);
      if (reply) replies.push(fill(reply, { ...values, target: gaze ?? '' }));
    }
    const reply = replies.length ? replies.join(' ') : fill(pick(this.character.lines.unknown, input) ?? "Sorry, I didn't understand that.", values);
    if (directives.length) directives[directives.length - 1]!.dialogue = reply;
    return { input, directives, reply };
  }
}
