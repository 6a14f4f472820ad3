/**
 * The embedded interpreter: plain-language lines → Directives, with no model, in well under 1 ms.
 * It knows the character's vocabulary synonyms (so new actions are understood as soon as the
 * vocabulary has them), politeness, negation ("don't wave"), counts ("nod twice"), sequences
 * ("sit down and then wave"), intensity ("very happy"), speed ("wave slowly"), gaze ("look left"),
 * `stop` when the vocabulary has it, short forms and emoji ("pls sit", "👋"), small talk ("hi",
 * "who are you?", "help", "thanks"), how the user feels ("I'm not happy"), and a small sentiment
 * lexicon so that news ("I got the job!") gets a fitting face. It answers in the character's voice
 * from its reply templates. Given what the persona is doing now, it says what the engine would
 * refuse ("I'm already standing!") instead of asking for it.
 */
import type { Directive, GazeTarget } from '../protocol/directive.js';
import type { CharacterDefinition } from '../characters/types.js';
import { findAction, type ActionDefinition, type PostureName, type Vocabulary } from '../characters/vocabulary.js';
import { planRequest, type ActionRequest, type Activity, type Plan } from '../characters/behaviour-plan.js';
import type { Interpreter, InterpreterEvent, InterpreterTurn } from './interpreter.js';
import { checkLine } from './interpreter.js';
import { sentimentOf, userFeelingIn } from './sentiment.js';
import { expandShorthand } from './shorthand.js';
import { DEFAULT_LINES, exampleLines, introductionOf, smallTalkReader } from './small-talk.js';

export interface Interpretation {
  input: string;
  directives: Directive[];
  reply: string;
  /**
   * True when the line asked for nothing and its directives only react to what was said (news, a
   * feeling, a greeting, thanks): an LLM may do better.
   */
  news: boolean;
}

/** What the persona is doing now, as the engine last reported it (a PersonaState fits). */
export interface PersonaNow {
  posture: string;
  /** The running action, or 'idle'. */
  action?: string;
  /** Actions waiting behind it, by name. */
  queue?: readonly string[];
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
  [/\blook(ing)? (at )?(me|here|us)\b|\blook (at|into) the (camera|lens)\b|\beye contact\b|\beyes on me\b|\bat me\b/, 'camera'],
  [/\blook(ing)? (to the |to your |towards the |over to the )?left\b/, 'left'],
  [/\blook(ing)? (to the |to your |towards the |over to the )?right\b/, 'right'],
  [/\blook(ing)? up\b|\blook at the (sky|ceiling)\b/, 'up'],
  [/\blook(ing)? down\b|\blook at the (floor|ground)\b/, 'down'],
  [/\blook(ing)? away\b|\blook elsewhere\b|\bavert your eyes\b/, 'away'],
];
const INTENSITY = { strong: 1, normal: 0.8, weak: 0.35, news: 0.7 } as const;

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const phrase = (s: string) => new RegExp(`\\b${escape(s)}\\b`);
const WORDS = /\w+/g;

/**
 * The vocabulary's phrases, longest first, each found as whole words. Only phrases whose first word
 * is in the clause are tried, so a clause costs a handful of regex tests rather than one per synonym.
 */
class PhraseMatcher {
  /** By first word: phrases as indices into `phrases`, longest first. Phrases with no word go under ''. */
  private readonly byFirstWord = new Map<string, number[]>();
  private readonly phrases: { name: string; pattern: RegExp }[];

  constructor(entries: readonly { name: string; phrases: readonly string[] }[]) {
    const sorted = entries
      .flatMap(({ name, phrases }) => [...new Set(phrases)].map((text) => ({ name, text })))
      .sort((a, b) => b.text.length - a.text.length);
    this.phrases = sorted.map(({ name, text }) => ({ name, pattern: phrase(text) }));
    sorted.forEach(({ text }, index) => {
      const first = text.match(WORDS)?.[0] ?? '';
      const list = this.byFirstWord.get(first) ?? [];
      list.push(index);
      this.byFirstWord.set(first, list);
    });
  }

  /** The longest phrase in the clause: its name and pattern, or undefined. */
  find(clause: string): { name: string; pattern: RegExp } | undefined {
    let best = Infinity;
    for (const word of new Set(['', ...(clause.match(WORDS) ?? [])])) {
      for (const index of this.byFirstWord.get(word) ?? []) {
        if (index >= best) break;
        if (this.phrases[index]!.pattern.test(clause)) best = index;
      }
    }
    return this.phrases[best];
  }
}

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

/** A stable number for a line, so the same line gets the same reply variants. */
const seedOf = (line: string): number => {
  let h = 0;
  for (let i = 0; i < line.length; i++) h = (h * 31 + line.charCodeAt(i)) >>> 0;
  return h;
};

const fill = (template: string, value: (key: string) => string | undefined) => template.replace(/\{(\w+)\}/g, (_, k: string) => value(k) ?? '');

/** Lowercases and strips what would hide words (quotes, control characters); writes out short forms and lone emoji. */
const normalize = (input: string) =>
  expandShorthand(
    input
      .toLowerCase()
      .replace(/[“”"]/g, '')
      .replace(/[’‘]/g, "'")
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u001f\u007f]/g, ' ')
      .trim(),
  );

/** The engine's state as the behaviour planner sees it, carried through the steps of one line. */
interface Forecast {
  posture: PostureName;
  activity: Activity;
  queue: ActionRequest[];
}

const forecastFrom = (vocabulary: Vocabulary, now: PersonaNow | undefined): Forecast | undefined => {
  if (!now || !Object.hasOwn(vocabulary.postures, now.posture)) return undefined;
  const running = now.action && now.action !== 'idle' ? findAction(vocabulary, now.action) : undefined;
  const activity: Activity = running && running.kind !== 'control' ? { kind: running.kind, name: running.name } : { kind: 'idle' };
  return { posture: now.posture as PostureName, activity, queue: (now.queue ?? []).map((name) => ({ name })) };
};

/** The state after the engine carries out a plan the planner did not refuse. */
const advance = (vocabulary: Vocabulary, forecast: Forecast, plan: Exclude<Plan, { kind: 'refuse' }>): Forecast => {
  if (plan.kind === 'enqueue') return { ...forecast, queue: [...forecast.queue, ...plan.queue] };
  const [first, ...rest] = plan.queue;
  const action = first && findAction(vocabulary, first.name);
  if (!action || action.kind === 'control') return { ...forecast, activity: { kind: 'idle' }, queue: [] };
  return { posture: action.kind === 'posture' ? action.to : forecast.posture, activity: { kind: action.kind, name: action.name }, queue: rest };
};

/** Without word from the engine, a posture change (or a gesture that stands up first) still tells where the body will be. */
const forecastAfter = (action: ActionDefinition): Forecast | undefined => {
  if (action.kind === 'posture') return { posture: action.to, activity: { kind: 'posture', name: action.name }, queue: [] };
  if (action.kind === 'gesture' && action.posture !== 'any' && action.whenWrongPosture === 'transition') {
    return { posture: action.posture, activity: { kind: 'gesture', name: action.name }, queue: [] };
  }
  return undefined;
};

const spaced = (name: string) => name.replace(/_/g, ' ');

export class EmbeddedInterpreter implements Interpreter {
  readonly provider = 'embedded' as const;
  private readonly actions: PhraseMatcher;
  private readonly expressions: PhraseMatcher;
  private readonly hasStop: boolean;
  private readonly smallTalk: ReturnType<typeof smallTalkReader>;
  /** Placeholders every reply may use. */
  private readonly values: Record<string, string>;
  private counter = 0;

  constructor(private readonly character: CharacterDefinition) {
    const { actions, expressions } = character.vocabulary;
    this.hasStop = actions.some((a) => a.name === 'stop');
    this.actions = new PhraseMatcher(actions.map((a) => ({ name: a.name, phrases: [spaced(a.name), ...a.synonyms] })));
    this.expressions = new PhraseMatcher(expressions.map((e) => ({ name: e.name, phrases: [e.name, ...e.synonyms] })));
    this.smallTalk = smallTalkReader(character.name);
    this.values = { name: character.name, about: introductionOf(character), examples: exampleLines(character.vocabulary) };
  }

  /**
   * Reads one line at once; the speculative start and the CLI use this directly. `now` is what the
   * persona is doing (the engine's last state): with it, a step the engine would refuse is not
   * asked for, and the reply says why.
   */
  interpret(input: string, now?: PersonaNow): Interpretation {
    checkLine(input);
    const line = normalize(input);
    const { vocabulary } = this.character;
    const directives: Directive[] = [];
    const replies: string[] = [];
    const seed = seedOf(input);
    const say = (key: string, values: Record<string, string> = {}) => {
      const options = this.character.lines[key] ?? DEFAULT_LINES[key];
      const template = options?.[seed % options.length];
      if (template !== undefined) replies.push(template.includes('{') ? fill(template, (k) => values[k] ?? this.values[k]) : template);
    };
    const face = (name: string, intensity: number) => directives.push({ id: this.nextId(), source: 'user', expression: { name, intensity } });
    const knowsFace = (name: string) => vocabulary.expressions.some((e) => e.name === name);
    /** Something was asked for: an action, a face, a gaze or stop. Otherwise the directives only react. */
    let asked = false;
    /** An action is among the directives: later ones wait for it. */
    let acted = false;
    /** A face already answers what the user said or felt. */
    let felt = false;
    /** A greeting or goodbye is answered with a wave, unless the line asks for an action of its own. */
    let waveAt: number | undefined;
    /** Clauses that asked for nothing: maybe news. */
    const unread: string[] = [];
    let forecast = forecastFrom(vocabulary, now);

    for (const clause of clauses(line)) {
      const talk = this.smallTalk(clause);
      if (talk.length) {
        for (const topic of talk) {
          if (topic === 'hello' || topic === 'farewell') waveAt ??= directives.length;
          if (topic === 'thanks' && !felt && knowsFace('happy')) {
            face('happy', STRONG.test(line) ? INTENSITY.strong : INTENSITY.news);
            felt = true;
          }
          say(topic);
        }
        continue;
      }
      let rest = ` ${clause} `;
      if (this.hasStop && STOP_WORDS.test(rest)) {
        directives.push({ id: this.nextId(), source: 'user', action: { name: 'stop' } });
        asked = acted = true;
        if (forecast) forecast = { ...forecast, activity: { kind: 'idle' }, queue: [] };
        say('stop');
        continue;
      }
      // "I'm not happy" is how the user feels, not a request about her face.
      if (!this.actions.find(rest)) {
        const feeling = userFeelingIn(clause);
        if (feeling) {
          if (!felt && knowsFace(feeling.expression)) {
            face(feeling.expression, STRONG.test(clause) ? INTENSITY.strong : INTENSITY.news);
            felt = true;
          }
          say(feeling.tone === 'good' ? 'feel_good' : feeling.tone === 'bad' ? 'feel_bad' : 'news.surprised');
          continue;
        }
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
      const action = this.actions.find(rest);
      if (action) rest = rest.replace(action.pattern, ' ');
      const expression = this.expressions.find(rest);
      if (negated) {
        if (action) say('negated', { action: spaced(action.name) });
        else if (expression) replies.push(`Okay, no ${expression.name} face then.`);
        continue;
      }
      if (!action && !expression && !gaze) {
        unread.push(clause);
        continue;
      }
      asked = true;
      const intensity = STRONG.test(clause) ? INTENSITY.strong : WEAK.test(clause) ? INTENSITY.weak : INTENSITY.normal;
      const directive: Directive = { id: this.nextId(), source: 'user' };
      if (action) {
        const definition = findAction(vocabulary, action.name)!;
        // Later steps of one line wait for the earlier ones ("turn around and then wave").
        const queue = acted || undefined;
        const request: ActionRequest = { name: action.name, ...(queue && { queue }) };
        const plan = forecast && planRequest(vocabulary, request, forecast);
        if (plan?.kind === 'refuse') {
          // One reason said once: "wave" ten times past a full queue is one refusal, not seven.
          const before = replies.length;
          this.sayRefusal(say, definition, plan.reason);
          if (replies.length > before && replies.slice(0, before).includes(replies.at(-1)!)) replies.pop();
        } else {
          const repeat = countIn(clause);
          const speed = SLOW.test(clause) ? 0.5 : FAST.test(clause) ? 1.5 : undefined;
          directive.action = { name: action.name, ...(repeat && { repeat }), ...(speed && { speed }), ...(queue && { queue }) };
          // It waits behind what she is already doing: the reply says so, never a silent queue.
          if (plan?.kind === 'enqueue' && !acted && forecast?.activity.name) replies.push(`After I ${spaced(forecast.activity.name)}:`);
          acted = true;
          forecast = plan && forecast ? advance(vocabulary, forecast, plan) : forecastAfter(definition);
        }
      }
      if (expression) directive.expression = { name: expression.name, intensity: expression.name === 'neutral' ? 0 : intensity };
      if (gaze) directive.gaze = gaze;
      if (!directive.action && !directive.expression && !directive.gaze) continue;
      directives.push(directive);
      // Actions and expressions without lines of their own get the character's general acknowledgement.
      const key = directive.action ? action!.name : expression?.name ?? 'gaze';
      const general = directive.action ? 'action' : expression ? 'expression' : 'gaze';
      say(this.character.lines[key] ? key : general, { target: gaze ?? '', action: spaced(action?.name ?? ''), expression: expression?.name ?? '' });
    }

    if (waveAt !== undefined && !acted && findAction(vocabulary, 'wave')) {
      directives.splice(waveAt, 0, { id: this.nextId(), source: 'user', action: { name: 'wave' } });
    }
    if (!asked && !felt && unread.length) {
      // Said, not asked: maybe news. React with a face that fits, never with an action.
      const feeling = sentimentOf(unread.join(' '));
      if (feeling && knowsFace(feeling.expression)) {
        face(feeling.expression, feeling.strength > 1 || STRONG.test(line) ? INTENSITY.strong : INTENSITY.news);
        say(`news.${feeling.expression}`);
      }
    }
    if (!replies.length) say('unknown');
    const reply = replies.join(' ');
    if (directives.length) directives[directives.length - 1]!.dialogue = reply;
    return { input, directives, reply, news: directives.length > 0 && !asked };
  }

  /**
   * In character, why the engine would not do this now. The planner's reasons are read by their
   * words ("already sitting", "can't step left while sitting"); any other reason is said as it is.
   */
  private sayRefusal(say: (key: string, values?: Record<string, string>) => void, action: ActionDefinition, reason: string) {
    const already = reason.match(/^already (\w+)$/)?.[1];
    if (already) return say('already', { posture: already, action: spaced(action.name) });
    const posture = reason.match(/^can't .+ while (\w+)$/)?.[1];
    const fix = action.kind === 'gesture' && action.posture !== 'any' ? this.character.vocabulary.actions.find((a) => a.kind === 'posture' && a.to === action.posture) : undefined;
    if (posture && fix) return say('wrong_posture', { posture, action: spaced(action.name), fix: spaced(fix.name) });
    say('refused', { reason, action: spaced(action.name) });
  }

  async *stream(turn: InterpreterTurn): AsyncIterable<InterpreterEvent> {
    const { directives, reply } = this.interpret(turn.line, turn.now);
    for (const directive of directives) yield { type: 'directive', directive };
    yield { type: 'text', chunk: reply };
    yield { type: 'done', reply };
  }

  private nextId(): string {
    return `embedded-${++this.counter}`;
  }
}
