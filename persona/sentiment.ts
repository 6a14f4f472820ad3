/**
 * A small sentiment lexicon for news ("I got the job!", "my cat is sick"): which face fits. And how
 * the user says they feel ("I'm not happy", "I feel great"), which is news about them, not a request.
 * Phrases, not single letters of mood: it should rather miss a feeling than invent one.
 */

export interface Feeling {
  expression: 'happy' | 'sad' | 'surprised';
  /** How many cues agreed; more than one reads as strong. */
  strength: number;
}

const LEXICON: Record<Feeling['expression'], readonly string[]> = {
  happy: [
    'got the job', 'got a job', 'got hired', 'got promoted', 'promotion', 'i passed', 'passed my', 'passed the', 'i won', 'we won',
    'graduated', 'engaged', 'got married', 'getting married', 'new puppy', 'new kitten', 'a baby', 'good news', 'great news',
    'best day', 'so excited', "i'm excited", 'im excited', 'i am excited', 'birthday', 'vacation', 'holiday', 'yay', 'hooray', 'woohoo',
    'congrat*', 'i love', 'awesome', 'fantastic', 'wonderful', 'i did it', 'we did it', 'finally finished', 'made it', 'nailed it',
    'got accepted', 'i got in', 'new job', 'got a new', 'started a new', 'bought a house', 'bought a new', 'bought my first', 'got a raise',
    'pregnant', 'having a baby', 'first day at',
  ],
  sad: [
    'sick', 'ill', 'died', 'dead', 'passed away', 'lost my', 'i lost', 'got fired', 'laid off', 'lost the job', 'failed', 'broke up',
    'dumped', 'bad news', 'sad news', 'terrible', 'awful', 'hurts', 'hurt my', 'crying', 'lonely', 'miss you', 'i miss', 'rejected',
    'accident', 'hospital', 'funeral', 'depressed', 'heartbroken', 'worst day', 'stressed', 'exhausted', 'i feel bad', 'feeling bad',
    'not feeling well', 'broken', 'sorry to say', 'feeling down', 'feel down',
  ],
  surprised: ['guess what', "you won't believe", 'you wont believe', 'omg', 'oh my god', 'oh my gosh', 'wow', 'no way', 'unbelievable', 'can you believe', 'out of nowhere', 'suddenly'],
};

const PATTERNS = Object.entries(LEXICON).map(([expression, cues]) => ({
  expression: expression as Feeling['expression'],
  // A cue ending in * matches as a prefix ("congrat*" → congrats, congratulations); others as whole words.
  patterns: cues.map((cue) => new RegExp(cue.endsWith('*') ? `\\b${cue.slice(0, -1)}` : `\\b${cue.replace(/'/g, "'?")}\\b`)),
}));

/** The feeling a lowercase line expresses, or undefined when none is clear. Ties go to sad over happy: comfort beats cheer. */
export const sentimentOf = (line: string): Feeling | undefined => {
  let best: Feeling | undefined;
  for (const { expression, patterns } of PATTERNS) {
    const strength = patterns.filter((p) => p.test(line)).length;
    if (strength > 0 && (!best || strength > best.strength || (strength === best.strength && expression === 'sad'))) best = { expression, strength };
  }
  return best;
};

/** Words for how someone feels; "not" turns good into bad and bad into better. */
const FEELING_WORDS: Record<'good' | 'bad' | 'surprised', readonly string[]> = {
  good: [
    'happy', 'glad', 'good', 'great', 'fine', 'okay', 'ok', 'well', 'better', 'wonderful', 'awesome', 'amazing', 'fantastic', 'excited',
    'thrilled', 'delighted', 'cheerful', 'joyful', 'pleased', 'proud', 'relaxed', 'calm', 'content', 'grateful', 'lucky', 'blessed',
    'over the moon', 'on top of the world',
  ],
  bad: [
    'sad', 'unhappy', 'upset', 'blue', 'depressed', 'miserable', 'lonely', 'angry', 'mad', 'furious', 'annoyed', 'irritated', 'frustrated',
    'scared', 'afraid', 'frightened', 'terrified', 'nervous', 'anxious', 'worried', 'stressed', 'tired', 'exhausted', 'sleepy', 'sick', 'ill',
    'unwell', 'hurt', 'bad', 'awful', 'terrible', 'horrible', 'bored', 'confused', 'embarrassed', 'ashamed', 'heartbroken', 'gloomy', 'grumpy',
    'down', 'low', 'crap', 'crappy', 'rubbish', 'meh',
  ],
  surprised: ['surprised', 'shocked', 'amazed', 'stunned', 'astonished', 'speechless'],
};
const FEELING_PATTERNS = Object.entries(FEELING_WORDS).map(([tone, words]) => ({
  tone: tone as keyof typeof FEELING_WORDS,
  pattern: new RegExp(`\\b(?:${words.join('|')})\\b`),
}));
/** "I'm", "I feel", "I've been", "I don't feel", or a clause that starts with "feeling". */
const ABOUT_ME = /\bi(?:'m| am|'ve been| have been| was| feel| felt| don't feel| do not feel| didn't feel| did not feel)\b|^feeling\b/;
const NOT = /\b(?:not|never|don't|do not|didn't|did not|isn't|hardly)\b/;

/** How the user says they feel, and the face that answers it. */
export interface UserFeeling {
  tone: 'good' | 'bad' | 'surprised';
  /** The face that answers: glad for good news, a concerned (sad) face for bad, surprise for surprise. */
  expression: Feeling['expression'];
}

/**
 * How the user says they feel in one lowercase clause ("i'm not happy" → bad), or undefined when
 * the clause is not about their feelings ("i'm going to ask you to wave").
 */
export const userFeelingIn = (clause: string): UserFeeling | undefined => {
  const me = ABOUT_ME.exec(clause);
  if (!me) return undefined;
  const said = clause.slice(me.index);
  const found = FEELING_PATTERNS.map(({ tone, pattern }) => ({ tone, at: said.search(pattern) }))
    .filter((f) => f.at >= 0)
    .sort((a, b) => a.at - b.at)[0];
  if (!found) return undefined;
  const negated = NOT.test(said.slice(0, found.at));
  if (found.tone === 'surprised') return negated ? undefined : { tone: 'surprised', expression: 'surprised' };
  const good = (found.tone === 'good') !== negated;
  return good ? { tone: 'good', expression: 'happy' } : { tone: 'bad', expression: 'sad' };
};
