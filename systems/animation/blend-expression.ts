/**
 * Animation phase: composes each persona's FaceLayers into ExpressionTarget — emotion, then the
 * gesture's face over it, the keyframe's mouth, speech visemes over the mouth, blinks and gaze on
 * top — and eases the shown Expression toward it, each channel at its layer's pace.
 */
import { query } from 'bitecs';
import { EXPRESSION_CHANNEL_COUNT, MOUTH_SHAPE_CHANNELS, channelIndex, type MouthShapeChannel } from '../../protocol/conditioning.js';
import type { PersonaWorld } from '../resources.js';
import type { MouthEvent } from '../../protocol/voice.js';
import { visemeAt, type Viseme as TextViseme } from './visemes.js';

const BLINK = [channelIndex('blinkLeft'), channelIndex('blinkRight')];
const LOOK_X = channelIndex('lookX');
const LOOK_Y = channelIndex('lookY');
const MOUTH = MOUTH_SHAPE_CHANNELS.map((channel) => [channel, channelIndex(channel)] as const);
const BLINK_MS = 40;
const LOOK_MS = 150;
const SPEECH_MS = 60;

/** How far the mouth opens at a vowel's full weight (the puppet's vowel shapes are drawn for 1). */
const VOICE_OPENING = 0.85;
const CLOSED = { channel: null, weight: 0 } as const;

/** A text-driven shape: the letter's vowel, fully. */
const textShape = (viseme: TextViseme | null) => (viseme ? { channel: viseme, weight: 0.95 * VOICE_OPENING } : CLOSED);

/**
 * The voice's mouth `t` ms into its audio: the last event at or before `t` (events start ~60 ms
 * before their sound, so the mouth is formed when it is heard). `rest` closes the mouth; the others
 * are the puppet's mouth-shape channels (`mbp` presses the lips shut, `fv` tucks the lower lip under
 * the teeth).
 */
const voiceShapeAt = (timeline: readonly MouthEvent[], t: number): { channel: MouthShapeChannel | null; weight: number } => {
  let lo = 0;
  let hi = timeline.length - 1;
  if (hi < 0 || t < timeline[0]!.atMs) return CLOSED;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (timeline[mid]!.atMs <= t) lo = mid;
    else hi = mid - 1;
  }
  const { viseme, weight } = timeline[lo]!;
  if (viseme === 'rest') return CLOSED;
  // Lips pressed or tucked are held fully; a vowel opens the mouth VOICE_OPENING of the way.
  return { channel: viseme, weight: viseme === 'mbp' || viseme === 'fv' ? weight : weight * VOICE_OPENING };
};

export const blendExpressionTowardTarget = (world: PersonaWorld): void => {
  const { Expression, ExpressionTarget, FaceLayers: face, Speech } = world.components;
  const dt = world.time.dt;
  for (const eid of query(world, [face, Speech, Expression, ExpressionTarget])) {
    const base = eid * EXPRESSION_CHANNEL_COUNT;
    const end = base + EXPRESSION_CHANNEL_COUNT;
    const target = ExpressionTarget.weight.subarray(base, end);
    const smooth = ExpressionTarget.smoothMs.subarray(base, end);
    const gesture = face.gestureOn[eid] === 1;
    target.set((gesture ? face.gesture : face.emotion).subarray(base, end));
    smooth.fill(gesture ? face.gestureSmoothMs[eid]! : face.emotionSmoothMs[eid]!);
    for (let c = 0; c < EXPRESSION_CHANNEL_COUNT; c++) {
      const key = face.keyframe[base + c]!;
      if (!Number.isNaN(key)) target[c] = key;
    }
    const startedAt = Speech.startedAt[eid]!;
    const timeline = Speech.mouth[eid];
    if (!Number.isNaN(startedAt)) {
      // The voice's timeline on audio time, or (no voice) the text's letters.
      const shape = timeline ? voiceShapeAt(timeline, world.time.now - startedAt) : textShape(visemeAt(Speech.text[eid]!, world.time.now - startedAt));
      for (const [channel, c] of MOUTH) target[c] = shape.channel === channel ? shape.weight : 0;
    }
    // The mouth moves at speech pace whether talking or not: cut off mid-word, it shuts within a few ticks.
    for (const [, c] of MOUTH) smooth[c] = SPEECH_MS;
    for (const c of BLINK) {
      target[c] = face.blink[eid]!;
      smooth[c] = BLINK_MS;
    }
    target[LOOK_X] = face.lookX[eid]!;
    target[LOOK_Y] = face.lookY[eid]!;
    smooth[LOOK_X] = LOOK_MS;
    smooth[LOOK_Y] = LOOK_MS;
    for (let c = 0; c < EXPRESSION_CHANNEL_COUNT; c++) {
      // Exponential approach: ~95% of the way after the channel's smoothing time.
      const k = 1 - Math.exp((-3 * dt) / Math.max(1, smooth[c]!));
      Expression.weight[base + c] = Expression.weight[base + c]! + (target[c]! - Expression.weight[base + c]!) * k;
    }
  }
};
