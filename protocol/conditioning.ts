/**
 * The conditioning vector: what the frame phase packs each tick and the native frame sources read.
 * Its layout must match native/core/conditioning.h; a native test compares the two.
 */
import { JOINT_COUNT } from './skeleton.js';

/**
 * The mouth shapes of speech, one expression channel each: the five vowel shapes (VRM names: open `aa`,
 * narrow `ih`, rounded `ou`, spread `ee`, round-open `oh`), lips pressed shut for p/b/m (`mbp`) and the
 * lower lip tucked under the upper teeth for f/v (`fv`). The voice's visemes are these plus `rest`.
 */
export const MOUTH_SHAPE_CHANNELS = ['aa', 'ih', 'ou', 'ee', 'oh', 'mbp', 'fv'] as const;
export type MouthShapeChannel = (typeof MOUTH_SHAPE_CHANNELS)[number];

/**
 * Expression channels, each 0..1 except lookX/lookY and glanceX/glanceY in -1..1 (right/up positive,
 * as the viewer sees). The five emotions use VRM preset names, `fear` and `disgust` complete the basic
 * six; the mouth shapes (above) drive the mouth for speech; blinks and look belong to the blink and gaze layers; the
 * rest are face details a character's expressions mix in (an embarrassed face = blush + sweat + eyes
 * aside + a wavy smile), after FACS action units:
 * - browRaise: both brows up (AU1+2); browTilt: one brow up, the other down (the character's left up).
 * - squint: lower lids up, eyes narrowed, both sides (AU6/7); lidDroop: heavy upper lids, both sides (AU43 half-way).
 * - mouthSide: the mouth pushed toward the viewer's right, that corner up (AU14 one-sided); mouthWave: a wobbly lip line.
 * - glanceX/glanceY: the expression's own eye direction, added to the gaze's look (thinking looks up and aside).
 * Native code reads them by the names in native/core/conditioning.h; a test matches the two lists by name.
 */
export const EXPRESSION_CHANNELS = [
  'happy', 'angry', 'sad', 'relaxed', 'surprised',
  ...MOUTH_SHAPE_CHANNELS,
  'blinkLeft', 'blinkRight', 'lookX', 'lookY',
  'blush', 'tear', 'sweat', 'browRaise', 'squint',
  'fear', 'disgust', 'lidDroop', 'browTilt', 'mouthSide', 'mouthWave', 'glanceX', 'glanceY',
] as const;

export type ExpressionChannel = (typeof EXPRESSION_CHANNELS)[number];

export const EXPRESSION_CHANNEL_COUNT = EXPRESSION_CHANNELS.length;

export const channelIndex = (name: ExpressionChannel): number => EXPRESSION_CHANNELS.indexOf(name);

/**
 * Hand shape channels, 0..1 each, for the left then the right hand: curl closes the fingers, point
 * keeps the index straight, thumb raises the thumb. open = 0,0,0; fist = 1,0,0; point = 1,1,0;
 * thumbs up = 1,0,1. Continuous, so a hand eases from one shape to the next.
 */
export const HAND_CHANNELS = ['curl', 'point', 'thumb'] as const;
export type HandChannel = (typeof HAND_CHANNELS)[number];
export const HAND_CHANNEL_COUNT = HAND_CHANNELS.length * 2;

const expressionOffset = 3 + JOINT_COUNT * 3;
const handOffset = expressionOffset + EXPRESSION_CHANNEL_COUNT;
const timeOffset = handOffset + HAND_CHANNEL_COUNT;

export const CONDITIONING = {
  /** rootX, rootY, rootYaw */
  rootOffset: 0,
  /** pitch, yaw, roll per joint, in JOINTS order */
  jointOffset: 3,
  expressionOffset,
  /** left curl, point, thumb, then right curl, point, thumb */
  handOffset,
  /** engine time in seconds, for secondary motion */
  timeOffset,
  length: timeOffset + 1,
} as const;
