/**
 * A worked example of a character with its own behaviour (docs/behaviour.md walks through it):
 * Aria on a lazy day. Same look, a sleepy baseline mood, slower blinks, a quicker and drowsier
 * fidget, and one action of her own — `nap` — added to the shared vocabulary.
 */
import { HAND_SHAPES } from '../../protocol/skeleton.js';
import { ARIA } from '../aria.js';
import type { CharacterDefinition } from '../types.js';
import { extendVocabulary, type GestureAction } from '../vocabulary.js';

/** Head down, eyes shut, arms folded loosely; holds for a while, then wakes with a start. */
const NAP: GestureAction = {
  kind: 'gesture',
  name: 'nap',
  synonyms: ['nap', 'take a nap', 'have a nap', 'doze off', 'snooze', 'go to sleep', 'sleep'],
  expression: { name: 'sleepy', intensity: 1 },
  intro: [{ ms: 800, joints: { head: [0.45, 0, 0.2], neck: [0.15, 0, 0], left_elbow: [-1.5, 0.4, 0], right_elbow: [-1.5, 0.4, 0] }, hands: { left: HAND_SHAPES.open, right: HAND_SHAPES.open }, face: { blinkLeft: 1, blinkRight: 1 } }],
  cycle: [{ ms: 2500, joints: { head: [0.5, 0, 0.22], neck: [0.15, 0, 0], left_elbow: [-1.5, 0.4, 0], right_elbow: [-1.5, 0.4, 0] }, face: { blinkLeft: 1, blinkRight: 1 } }],
  outro: [{ ms: 300, joints: { head: [-0.1, 0, 0] }, face: { surprised: 0.6 } }, { ms: 400, joints: {} }],
  defaultRepeat: 1,
  posture: 'any',
  whenWrongPosture: 'transition',
  interrupts: true,
};

export const SLEEPY_ARIA: CharacterDefinition = {
  ...ARIA,
  id: 'sleepy-aria',
  name: 'Sleepy Aria',
  personality: `${ARIA.personality} Today she is drowsy: slow to react, yawning, and glad of any excuse to nap.`,
  baseline: { expression: 'sleepy', intensity: 0.4 },
  vocabulary: extendVocabulary(ARIA.vocabulary, { actions: [NAP] }),
  behaviour: {
    fidgets: ['yawn', 'nap', 'stretch'],
    customize: (chart) =>
      chart.provide({
        delays: {
          // Heavy eyelids: blinks every 4–8 s instead of 2–6 s, and each one lasts longer.
          'blink gap': ({ context }) => 4000 + context.random() * 4000,
          'blink length': 260,
          // Left alone she dozes off sooner: after about 12 s.
          'fidget delay': ({ context }) => 10_000 + context.random() * 4000,
        },
      }),
  },
  lines: { ...ARIA.lines, nap: ['Mmm... just five minutes...', 'Zzz...'], greeting: ['*yawn* Hi, I am {name}. Ask me anything... or let me nap.'] },
};
