/**
 * The conditioning vector: what the frame phase packs each tick and the native frame sources read.
 * Its layout must match native/core/conditioning.h; a native test compares the two.
 */
import { JOINT_COUNT } from './skeleton.js';

/** Expression channels (VRM-style names), each 0..1 except lookX/lookY in -1..1. */
export const EXPRESSION_CHANNELS = [
  'happy', 'angry', 'sad', 'relaxed', 'surprised',
  'aa', 'ih', 'ou', 'ee', 'oh',
  'blinkLeft', 'blinkRight', 'lookX', 'lookY',
] as const;

export type ExpressionChannel = (typeof EXPRESSION_CHANNELS)[number];

export const EXPRESSION_CHANNEL_COUNT = EXPRESSION_CHANNELS.length;

export const channelIndex = (name: ExpressionChannel): number => EXPRESSION_CHANNELS.indexOf(name);

export const CONDITIONING = {
  /** rootX, rootY, rootYaw */
  rootOffset: 0,
  /** pitch, yaw, roll per joint, in JOINTS order */
  jointOffset: 3,
  expressionOffset: 3 + JOINT_COUNT * 3,
  /** engine time in seconds, for secondary motion */
  timeOffset: 3 + JOINT_COUNT * 3 + EXPRESSION_CHANNEL_COUNT,
  length: 3 + JOINT_COUNT * 3 + EXPRESSION_CHANNEL_COUNT + 1,
} as const;
