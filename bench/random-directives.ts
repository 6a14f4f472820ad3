/** A seeded stream of plausible directives for benchmarks and soaks: actions, feelings, looks, lines. */
import type { Directive } from '../protocol/directive.js';
import { DEFAULT_VOCABULARY } from '../characters/default-vocabulary.js';

export const randomDirectives = (seed = 1) => {
  let state = seed >>> 0;
  const random = () => ((state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
  const actions = DEFAULT_VOCABULARY.actions.map((a) => a.name);
  const expressions = DEFAULT_VOCABULARY.expressions.map((e) => e.name);
  let n = 0;
  return (): Directive => {
    const id = `bench-${seed}-${n++}`;
    const r = random();
    if (r < 0.6) return { id, source: 'script', action: { name: pick(actions), repeat: 1 + Math.floor(random() * 2) } };
    if (r < 0.85) return { id, source: 'script', expression: { name: pick(expressions), intensity: random() } };
    if (r < 0.95) return { id, source: 'script', gaze: pick(DEFAULT_VOCABULARY.gaze) as Directive['gaze'] };
    return { id, source: 'script', dialogue: 'A line of dialogue to move the mouth.' };
  };
};
