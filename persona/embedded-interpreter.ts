/**
 * The embedded interpreter: plain-language lines → Directives, with no model, in well under 1 ms.
 * It knows the character's vocabulary synonyms (so new actions are understood as soon as the
 * vocabulary has them), politeness, negation ("don't wave"), counts ("nod twice"), sequences
 * ("sit down and then wave"), intensity ("very happy"), speed ("wave slowly"), gaze ("look left"),
 * `stop` when the vocabulary has it, and a small sentiment lexicon so that news ("I got the job!")
 * gets a fitting face. It answers in the character's voice from its reply templates.
 */
import type { Directive, GazeTarget } from '../protocol/directive.js';
import type { CharacterDefinition } from '../characters/types.js';
import type { Interpreter, InterpreterEvent, InterpreterTurn } from './interpreter.js';
import { checkLine } from './interpreter.js';
import { sentimentOf } from './sentiment.js';

export interface Interpretation {
  input: string;
  directives: Directive[];
  reply: string;
  /** True when the line asked for nothing and its directives only react to news: an LLM may do better. */
  news: boolean;
}

const COUNT_WORDS: [RegExp, number][] = (
  [
    ['once', 1], ['twice', 2], ['thrice', 3], ['a couple of times', 2], ['a couple times', 2], ['a few times', 3], ['several times', 3],
    ['one time', 1], ['two times', 2], ['three times', 3], ['four times', 4], ['five times', 5], ['six times', 6],
    ['seven times', 7], ['eight times', 8], ['nine times', 9], ['ten times', 10],
  ] as const
).map(([w, n]) => [new RegExp(`\\b${w}\\b`), n]);
const NUMERIC_COUNT = /\b(\d+)\s*(?:x|times)\b/;
// A bare "no" is left out: "say no" and "no way!" are requests and news, not negations.
const NEGATIONS = /\b(don'?t|do not|never|no more|not)\b/;
const STOP_WORDS = /\b(stop|quit|cease|halt|freeze|enough)\b/;
const STRONG = /\b(very|really|so|super|extremely|totally|incredibly|very very|so so|really really)\b|!!/;
const WEAK = /\b(a bit|a little|slightly|somewhat|kind of|kinda|a tad|a little bit|mildly|barely)\b/;
const SLOW = /\b(slowly|slow|gently|calmly)\b/;
const FAST = /\b(quickly|quick|fast|rapidly|energetically)\b/;
const GAZE_PHRASES: [RegExp, GazeTarget][] = [
  [/\blook(ing)? (at )?(me|here|us)\b|\blook (at|into) the (camera|lens)\b|\beye contact\b|\beyes on me\b|\bface me\b|\bat me\b/, 'camera'],
  [/\blook(ing)? (to the |to your |towards the |over to the )?left\b/, 'left'],
  [/\blook(ing)? (to the |to your |towards the |over to the )?right\b/, 'right'],
  [/\blook(ing)? up\b|\blook at the (sky|ceiling)\b/, 'up'],
  [/\blook(ing)? down\b|\blook at the (floor|ground)\b/, 'down'],
  [/\blook(ing)? away\b|\blook elsewhere\b|\bavert your eyes\b/, 'away'],
];
const INTENSITY = { strong: 1, normal: 0.8, weak: 0.35, news: 0.7 } as const;

/** Replies for news, when the character has no lines of its own for them. */
const NEWS_LINES: Record<string, readonly string[]> = {
  'news.happy': ['That is wonderful news, congratulations!', 'Yay, I am so happy for you!'],
  'news.sad': ["Oh no, I'm so sorry to hear that.", 'That sounds hard. I am here for you.'],
  'news.surprised': ['No way! Tell me more!', 'Whoa, really?'],
};

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const phrase = (s: string) => new RegExp(`\\b${escape(s)}\\b`);

/** Splits a line into clauses that each ask for one thing, in order. */
const clauses = (line: string): string[] =>
  line
    .split(/\b(?:and then|then|after that|afterwards|followed by|next|but|and)\b|[,;.!?]+/)
    .map((c) => c.trim())
    .filter(Boolean);

const countIn = (clause: string): number | undefined => {
  const numeric = clause.match(NUMERIC_COUNT);
  if (numeric) return Math.min(10, Math.max(1, Number(numeric[1])));
  return COUNT_WORDS.find(([pattern]) => pattern.test(clause))?.[1];
};

/** Stable pick among reply variants, so the same line gets the same reply. */
const pick = (options: readonly string[] | undefined, seed: string): string | undefined => {
  if (!options?.length) return undefined;
  let h = 0;
  for (let i = 0; i < seed.length; i++) h = (h * 31 + seed.charCodeAt(i)) >>> 0;
  return options[h % options.length];
};

const fill = (template: string, values: Record<string, string>) => template.replace(/\{(\w+)\}/g, (_, k: string) => values[k] ?? '');

/** Lowercases and strips what would hide words: quotes, control characters, emoji stay harmless. */
const normalize = (input: string) =>
  input
    .toLowerCase()
    .replace(/[“”"]/g, '')
    .replace(/[’‘]/g, "'")
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f]/g, ' ');

export class EmbeddedInterpreter implements Interpreter {
  readonly provider = 'embedded' as const;
  private readonly actionMatchers: { name: string; pattern: RegExp; length: number }[];
  private readonly expressionMatchers: { name: string; pattern: RegExp; length: number }[];
  private readonly hasStop: boolean;
  private counter = 0;

  constructor(private readonly character: CharacterDefinition) {
    const byLength = <T extends { length: number }>(list: T[]) => list.sort((a, b) => b.length - a.length);
    const { actions, expressions } = character.vocabulary;
    this.hasStop = actions.some((a) => a.name === 'stop');
    this.actionMatchers = byLength(
      actions.flatMap((a) =>
        [...new Set([a.name.replace(/_/g, ' '), ...a.synonyms])].map((s) => ({ name: a.name, pattern: phrase(s), length: s.length })),
      ),
    );
    this.expressionMatchers = byLength(
      expressions.flatMap((e) => [e.name, ...e.synonyms].map((s) => ({ name: e.name, pattern: phrase(s), length: s.length }))),
    );
  }

  /** Reads one line at once; the speculative start and the CLI use this directly. */
  interpret(input: string): Interpretation {
    checkLine(input);
    const line = normalize(input);
    const directives: Directive[] = [];
    const replies: string[] = [];
    const values = { name: this.character.name };
    const line_ = (key: string) => pick(this.character.lines[key] ?? NEWS_LINES[key], input);
    for (const clause of clauses(line)) {
      let rest = ` ${clause} `;
      if (this.hasStop && STOP_WORDS.test(rest)) {
        directives.push({ id: this.nextId(), source: 'user', action: { name: 'stop' } });
        const reply = line_('stop');
        replies.push(reply ? fill(reply, values) : 'Okay, stopping.');
        continue;
      }
      const negated = NEGATIONS.test(rest) || STOP_WORDS.test(rest);
      let gaze: GazeTarget | undefined;
      for (const [pattern, target] of GAZE_PHRASES) {
        if (pattern.test(rest)) {
          gaze = target;
          rest = rest.replace(pattern, ' ');
          break;
        }
      }
      const action = this.actionMatchers.find((m) => m.pattern.test(rest));
      if (action) rest = rest.replace(action.pattern, ' ');
      const expression = this.expressionMatchers.find((m) => m.pattern.test(rest));
      if (negated) {
        if (action) replies.push(fill(line_('negated') ?? "Okay, I won't {action}.", { ...values, action: action.name.replace(/_/g, ' ') }));
        else if (expression) replies.push(`Okay, no ${expression.name} face then.`);
        continue;
      }
      if (!action && !expression && !gaze) continue;
      const intensity = STRONG.test(clause) ? INTENSITY.strong : WEAK.test(clause) ? INTENSITY.weak : INTENSITY.normal;
      const directive: Directive = { id: this.nextId(), source: 'user' };
      if (action) {
        const repeat = countIn(clause);
        const speed = SLOW.test(clause) ? 0.5 : FAST.test(clause) ? 1.5 : undefined;
        // Later steps of one line wait for the earlier ones ("turn around and then wave").
        const queue = directives.some((d) => d.action) || undefined;
        directive.action = { name: action.name, ...(repeat && { repeat }), ...(speed && { speed }), ...(queue && { queue }) };
      }
      if (expression) directive.expression = { name: expression.name, intensity: expression.name === 'neutral' ? 0 : intensity };
      if (gaze) directive.gaze = gaze;
      directives.push(directive);
      // Actions and expressions without lines of their own get the character's general acknowledgement.
      const reply = line_(action?.name ?? expression?.name ?? 'gaze') ?? line_(action ? 'action' : expression ? 'expression' : 'gaze');
      if (reply) replies.push(fill(reply, { ...values, target: gaze ?? '' }));
    }
    let news = false;
    if (!directives.length && !replies.length) {
      // No request at all: maybe news. React with a face that fits, never with an action.
      const feeling = sentimentOf(line);
      const known = feeling && this.character.vocabulary.expressions.some((e) => e.name === feeling.expression);
      if (feeling && known) {
        const intensity = feeling.strength > 1 || STRONG.test(line) ? INTENSITY.strong : INTENSITY.news;
        directives.push({ id: this.nextId(), source: 'user', expression: { name: feeling.expression, intensity } });
        news = true;
        replies.push(fill(line_(`news.${feeling.expression}`) ?? line_(feeling.expression) ?? 'I see.', values));
      }
    }
    const reply = replies.length ? replies.join(' ') : fill(line_('unknown') ?? "Sorry, I didn't understand that.", values);
    if (directives.length) directives[directives.length - 1]!.dialogue = reply;
    return { input, directives, reply, news };
  }

  async *stream(turn: InterpreterTurn): AsyncIterable<InterpreterEvent> {
    const { directives, reply } = this.interpret(turn.line);
    for (const directive of directives) yield { type: 'directive', directive };
    yield { type: 'text', chunk: reply };
    yield { type: 'done', reply };
  }

  private nextId(): string {
    return `embedded-${++this.counter}`;
  }
}
