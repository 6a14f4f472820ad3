/**
 * Animation phase: composes each persona's face layers into ExpressionTarget — emotion, then the
 * gesture's face over it, the keyframe's mouth, speech visemes over the mouth, blinks and gaze on
 * top — and eases the shown Expression toward it, each channel at its layer's pace.
 */
import { EXPRESSION_CHANNEL_COUNT, channelIndex } from '../../protocol/conditioning.js';
import type { PersonaWorld } from '../resources.js';

import { visemeAt, VISEME_CHANNELS } from './visemes.js';

const BLINK = [channelIndex('blinkLeft'), channelIndex('blinkRight')];
const LOOK = [channelIndex('lookX'), channelIndex('lookY')];
const BLINK_MS = 40;
const LOOK_MS = 150;
const SPEECH_MS = 60;

export const blendExpressionTowardTarget = (world: PersonaWorld): void => {
  const { Expression, ExpressionTarget } = world.components;
  const dt = world.time.dt;
  for (const [eid, persona] of world.resources.personas) {
    const face = persona.targets.face;
    const base = eid * EXPRESSION_CHANNEL_COUNT;
    const target = ExpressionTarget.weight.subarray(base, base + EXPRESSION_CHANNEL_COUNT);
    const smooth = ExpressionTarget.smoothMs.subarray(base, base + EXPRESSION_CHANNEL_COUNT);
    const top = face.gesture ?? face.emotion;
    target.set(top.weights);
    smooth.fill(top.smoothMs);
    if (face.keyframe) for (const [channel, w] of Object.entries(face.keyframe)) target[channelIndex(channel as never)] = w;
    if (face.speech) {
      const viseme = visemeAt(face.speech.text, world.time.now - face.speech.startedAt);
      for (const channel of VISEME_CHANNELS) {
        target[channelIndex(channel)] = channel === viseme ? 0.8 : 0;
        smooth[channelIndex(channel)] = SPEECH_MS;
      }
    }
    for (const i of BLINK) {
      target[i] = face.blink;
      smooth[i] = BLINK_MS;
    }
    LOOK.forEach((i, k) => {
      target[i] = face.look[k]!;
      smooth[i] = LOOK_MS;
    });
    for (let c = 0; c < EXPRESSION_CHANNEL_COUNT; c++) {
      // Exponential approach: ~95% of the way after the channel's smoothing time.
      const k = 1 - Math.exp((-3 * dt) / Math.max(1, smooth[c]!));
      Expression.weight[base + c] = Expression.weight[base + c]! + (target[c]! - Expression.weight[base + c]!) * k;
    }
  }
};
