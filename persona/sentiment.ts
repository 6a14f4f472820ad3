/**
 * A small sentiment lexicon for news ("I got the job!", "my cat is sick"): which face fits.
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
    'thank you', 'thanks', 'got accepted', 'i got in',
  ],
  sad: [
    'sick', 'ill', 'died', 'dead', 'passed away', 'lost my', 'i lost', 'got fired', 'laid off', 'lost the job', 'failed', 'broke up',
    'dumped', 'bad news', 'sad news', 'terrible', 'awful', 'hurts', 'hurt my', 'crying', 'lonely', 'miss you', 'i miss', 'rejected',
    'accident', 'hospital', 'funeral', 'depressed', 'heartbroken', 'worst day', 'stressed', 'exhausted', 'i feel bad', 'feeling bad',
    'not feeling well', 'broken', 'sorry to say',
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
