/**
 * Small talk without a model: the first things people type ("hi", "who are you?", "how are you?",
 * "help", "thanks", "bye") read from one clause, and the words a character answers them with when
 * it has no lines of its own: an introduction from its name and personality, and a few example
 * lines from its vocabulary.
 */
import type { CharacterDefinition } from '../characters/types.js';
import { DEFAULT_VOCABULARY } from '../characters/default-vocabulary.js';
import type { Vocabulary } from '../characters/vocabulary.js';

export type SmallTalk = 'hello' | 'introduce' | 'how_are_you' | 'help' | 'thanks' | 'farewell';

const GREETING_WORD = String.raw`(?:hi|hello|hey|heya|hiya|howdy|yo|greetings|good (?:morning|afternoon|evening|day)|morning|evening)`;
const HELLO = new RegExp(String.raw`^(?:${GREETING_WORD}(?: (?:there|everyone|all|again|friend|buddy|you))*\s*)+$|^(?:nice|pleased|good|great) to (?:meet|see) you$`);
const GREETING_FIRST = new RegExp(String.raw`^${GREETING_WORD}(?: there)? (.+)$`);

/** Each pattern reads a whole clause (name, "please" and fillers already gone), so "help me sit down" stays a request. */
const PATTERNS: [SmallTalk, RegExp][] = [
  ['thanks', /^(?:thank you|thanks|many thanks|much appreciated|(?:i )?appreciate (?:it|that)|cheers)(?: (?:so much|very much|a lot|a bunch|again|anyway|for .*))*$/],
  [
    'farewell',
    /^(?:bye|bye bye|goodbye|good bye|see you|see ya|later|good night|goodnight|night night|farewell|take care|gotta go|i have to go|i've got to go|i'm leaving|i'm off|talk (?:to you )?later|ttyl|catch you later)(?: (?:for now|then|later|soon|tomorrow|everyone|all|friend|buddy|again|next time))*$/,
  ],
  [
    'introduce',
    /^(?:who are you|who're you|what are you|what is your name|what's your name|whats your name|your name|what should i call you|what do i call you|introduce yourself|tell me about yourself|tell me about you|who is this|who's this|who am i talking to|who am i speaking (?:to|with)|and you are)$/,
  ],
  [
    'how_are_you',
    /^(?:how are you|how are you doing|how are you feeling|how're you|how's it going|how is it going|how are things|how have you been|how do you feel|how's your day|how is your day|how's life|how's everything|what's up|whats up|are you ok|are you okay|you ok|you okay|are you good|you good|how about you|what about you)(?: (?:today|tonight|doing|going|now))?$/,
  ],
  [
    'help',
    /^(?:help|help me|help please|i need help|can you help(?: me)?|what can you do|what else can you do|what do you do|what can i do|what can i say|what can i ask(?: you)?|what can i type|what should i (?:say|do|type)|what are your (?:commands|options|abilities|actions|moves)|what (?:commands|actions|moves) do you (?:know|have)|what do you know|how does this work|how do i use this|how do i play|commands|options|menu|show me what you can do|list (?:your )?(?:actions|commands|moves))$/,
  ],
];

const PLEASE = /\bplease\b/g;
const LEADING_FILLERS = /^(?:(?:oh|well|um|uh|so|ok|okay|and|but|also|anyway)\s+)+/;
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Reads small talk in clauses for one character (its name is not part of what was said). */
export const smallTalkReader = (name: string) => {
  const lower = name.toLowerCase().trim();
  const names = [...new Set([lower, lower.split(/\s+/).at(-1) ?? lower])].filter(Boolean).map(escape);
  const nameWords = new RegExp(`(?<![\\p{L}\\p{N}])(?:${names.join('|')})(?![\\p{L}\\p{N}])`, 'gu');
  const intentOf = (clause: string): SmallTalk | undefined => PATTERNS.find(([, pattern]) => pattern.test(clause))?.[0];
  /** What a clause says, in order ("hey, who are you" → hello, introduce); empty when it is not small talk. */
  return (clause: string): SmallTalk[] => {
    const bare = clause.replace(nameWords, ' ').replace(PLEASE, ' ').replace(/\s+/g, ' ').trim().replace(LEADING_FILLERS, '');
    if (!bare) return [];
    if (HELLO.test(bare)) return ['hello'];
    const intent = intentOf(bare);
    if (intent) return [intent];
    const rest = bare.match(GREETING_FIRST)?.[1];
    const after = rest ? intentOf(rest) : undefined;
    return after ? ['hello', after] : [];
  };
};

/** Words for small talk, news and refusals when the character has no lines of its own for them. */
export const DEFAULT_LINES: Record<string, readonly string[]> = {
  hello: ['Hi!', 'Hello!'],
  introduce: ['{about}'],
  how_are_you: ["I'm good, thanks! How about you?"],
  help: ['I can act things out. Try {examples}.'],
  thanks: ["You're welcome!"],
  farewell: ['Bye! See you soon.'],
  feel_good: ['That is good to hear!'],
  feel_bad: ["I'm sorry you feel that way. Want to talk about it?"],
  'news.happy': ['That is wonderful news, congratulations!', 'Yay, I am so happy for you!'],
  'news.sad': ["Oh no, I'm so sorry to hear that.", 'That sounds hard. I am here for you.'],
  'news.surprised': ['No way! Tell me more!', 'Whoa, really?'],
  action: ['Okay: {action}.'],
  expression: ['Okay, {expression}.'],
  gaze: ['Looking {target}.'],
  stop: ['Okay, stopping.'],
  negated: ["Okay, I won't {action}."],
  already: ["I'm already {posture}."],
  wrong_posture: ["I can't {action} while {posture}; ask me to {fix} first."],
  refused: ["I can't do that right now: {reason}."],
  unknown: ["Sorry, I didn't understand that. Try \"help\"."],
};

/**
 * "I'm Kai, a relaxed, dry-humoured skater who …": the personality's first sentence in the first
 * person when it starts with the character's name ("Kai is a …") or an article ("A knight …");
 * otherwise just the name. Card personalities can be long: a first sentence past 200 characters is left out.
 */
export const introductionOf = (character: Pick<CharacterDefinition, 'name' | 'personality'>): string => {
  const name = character.name.trim();
  const first = character.personality.trim().split(/(?<=[.!?])\s+/)[0]?.replace(/[.!?]+$/, '') ?? '';
  const words = name.split(/\s+/).map(escape);
  const about = first.match(new RegExp(`^(?:${[escape(name), ...words].join('|')}) (?:is|was) (.+)$`, 'i'))?.[1] ?? first.match(/^((?:a|an) .+)$/i)?.[1];
  if (!about || about.length > 200) return `I'm ${name}.`;
  return `I'm ${name}, ${about.charAt(0).toLowerCase()}${about.slice(1)}.`;
};

/** Actions shown first in "what can you do?", when the vocabulary has them. */
const SHOWCASE = ['wave', 'sit_down', 'dance', 'turn_around'];

/**
 * A few lines this character understands, quoted: "wave", "sit down", "dance", "look surprised"
 * or "look at me". An action of the character's own (Sleepy Aria's nap) is shown first.
 */
export const exampleLines = (vocabulary: Vocabulary): string => {
  const shared = new Set(DEFAULT_VOCABULARY.actions.map((a) => a.name));
  const own = vocabulary.actions.filter((a) => a.kind !== 'control' && !shared.has(a.name)).map((a) => a.name);
  const known = vocabulary.actions.filter((a) => a.kind !== 'control').map((a) => a.name);
  const actions = [...new Set([...own.slice(0, 1), ...SHOWCASE.filter((n) => known.includes(n)), ...known])].slice(0, 3);
  const face = vocabulary.expressions.find((e) => e.name === 'surprised') ?? vocabulary.expressions.find((e) => e.name !== 'neutral');
  const lines = [...actions.map((a) => a.replace(/_/g, ' ')), ...(face ? [`look ${face.synonyms[0] ?? face.name}`] : []), 'look at me'];
  return `${lines.slice(0, -1).map((l) => `"${l}"`).join(', ')} or "${lines.at(-1)}"`;
};
