/**
 * Short forms and emoji people type, turned into the words the embedded interpreter reads:
 * "pls sit" → "please sit", "thx" → "thanks", "👋" → "hi", "😀" → "smile". Runs on a lowercase line.
 */

/** Whole words only; each expands to words the interpreter already knows. */
const SHORT_FORMS: Record<string, string> = {
  pls: 'please',
  plz: 'please',
  plx: 'please',
  plse: 'please',
  thx: 'thanks',
  thnx: 'thanks',
  thanx: 'thanks',
  thks: 'thanks',
  tnx: 'thanks',
  ty: 'thank you',
  tysm: 'thank you so much',
  tyvm: 'thank you very much',
  u: 'you',
  ur: 'your',
  r: 'are',
  im: "i'm",
  ive: "i've",
  cya: 'see you',
  gn: 'good night',
  gm: 'good morning',
  hru: 'how are you',
  wbu: 'how about you',
  hbu: 'how about you',
  sup: "what's up",
  wassup: "what's up",
  whatsup: "what's up",
  lemme: 'let me',
  gimme: 'give me',
  rn: 'right now',
};

/**
 * Emoji sent on their own, as the line they stand for. 🙂 is left out on purpose: people add it as
 * a tone of voice (polite, or ironic) far more often than they ask for a face with it.
 */
const EMOJI: Record<string, string> = {
  '👋': 'hi',
  '😀': 'smile', '😃': 'smile', '😄': 'smile', '😁': 'smile', '😊': 'smile', '☺': 'smile', '😺': 'smile', '😸': 'smile',
  '❤': 'smile', '😍': 'smile', '🥰': 'smile', '😘': 'smile', '💕': 'smile', '🤗': 'smile',
  '😆': 'laugh', '😂': 'laugh', '🤣': 'laugh', '😹': 'laugh',
  // A sad or angry face is how the user feels: it gets sympathy, not a mirrored frown.
  '😢': "i'm sad", '😭': "i'm sad", '😞': "i'm sad", '😔': "i'm sad", '☹': "i'm sad", '🙁': "i'm sad", '😿': "i'm sad", '💔': "i'm sad",
  '😠': "i'm angry", '😡': "i'm angry", '🤬': "i'm angry", '😤': "i'm angry",
  '😮': 'wow', '😯': 'wow', '😲': 'wow', '🤯': 'wow',
  '😱': 'scared', '😨': 'scared', '😰': 'scared', '😧': 'scared',
  '😴': 'sleepy', '💤': 'sleepy', '🥱': 'yawn',
  '👍': 'thumbs up', '👎': 'shake your head', '👏': 'clap', '🙌': 'clap',
  '🤔': 'think', '🤷': 'shrug', '🤦': 'facepalm', '🙇': 'bow', '💃': 'dance', '🕺': 'dance',
  '👉': 'point', '👈': 'point', '☝': 'point',
  '🙈': 'embarrassed', '😳': 'embarrassed', '😅': 'embarrassed',
  '🤢': 'disgusted', '🤮': 'disgusted',
  '😕': 'confused', '😖': 'confused', '🤨': 'confused', '😵': 'confused',
  '😌': 'relaxed', '😐': 'neutral', '😑': 'neutral',
  '🙏': 'thank you', '🎉': 'yay', '🥳': 'yay', '🎊': 'yay',
};

/** Variation selectors, skin tones, zero-width joiners and the gender signs of 🤷‍♀️ and 🤦‍♂️: the base emoji says it. */
const EMOJI_MODIFIERS = /[\uFE0E\uFE0F\u200D\u2640\u2642]|\uD83C[\uDFFB-\uDFFF]/g;
const HAS_WORDS = /[\p{L}\p{N}]/u;

const expandEmoji = (line: string): string => {
  if (HAS_WORDS.test(line)) return line;
  const meant: string[] = [];
  for (const char of line.replace(EMOJI_MODIFIERS, '')) {
    const words = EMOJI[char];
    if (words && !meant.includes(words)) meant.push(words);
  }
  return meant.length ? meant.join(', ') : line;
};

// A run of letters that is a whole word: not part of "r2d2", nor of "don't" on either side of the apostrophe.
const WORD = /(?<![\p{L}\p{N}'])[a-z]+(?![\p{L}\p{N}'])/gu;

/** A lowercase line with short forms written out; a line of emoji alone becomes the words they stand for. */
export const expandShorthand = (line: string): string => expandEmoji(line).replace(WORD, (word) => SHORT_FORMS[word] ?? word);

