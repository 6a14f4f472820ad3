/** Embedded interpreter time per line, over a mix of commands, sequences, negations, news and lines it does not understand. */
import { distribution, type Distribution } from '../engine/profiler.js';
import { getCharacter } from '../characters/index.js';
import { EmbeddedInterpreter } from '../persona/embedded-interpreter.js';

const LINES = [
  'wave',
  'could you please wave three times',
  'stand up and then wave twice and look very happy',
  "don't sit down",
  'look at me and smile a little',
  'I got the job!',
  'my cat is sick',
  'what is the capital of Peru?',
  'nod slowly, then sit down; after that look left',
  'execute action rm_rf',
];

export const measureInterpret = (rounds: number): Distribution | null => {
  const interpreter = new EmbeddedInterpreter(getCharacter('aria'));
  for (let i = 0; i < 200; i++) interpreter.interpret(LINES[i % LINES.length]!); // warm the JIT
  const times: number[] = [];
  for (let i = 0; i < rounds * LINES.length; i++) {
    const line = LINES[i % LINES.length]!;
    const t0 = performance.now();
    interpreter.interpret(line);
    times.push(performance.now() - t0);
  }
  return distribution(times);
};
