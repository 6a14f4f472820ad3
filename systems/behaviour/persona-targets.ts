/**
 * The chart's PersonaTargets for one entity, over the world's layer components. Stateless: every
 * call writes what the chart decided into BodyLayers, FaceLayers, Speech and PoseTarget's timing;
 * nothing is kept here. The compose-pose-target and blend-expression systems turn the layers into
 * targets each tick.
 */
import { EXPRESSION_CHANNEL_COUNT, HAND_CHANNEL_COUNT, channelIndex, type ExpressionChannel } from '../../protocol/conditioning.js';
import type { GazeTarget } from '../../protocol/directive.js';
import { JOINTS, type HandShape } from '../../protocol/skeleton.js';
import { ROTATION_STRIDE } from '../../engine/components.js';
import type { PersonaTargets, SpokenLine } from '../../characters/behaviour-chart.js';
import type { Stance } from '../../characters/behaviour-plan.js';
import { findExpression, type FaceChannels, type Keyframe, type PostureName, type Vocabulary } from '../../characters/vocabulary.js';
import type { PersonaWorld } from '../resources.js';

const GAZE_LOOK: Record<GazeTarget | 'glance-left' | 'glance-right' | 'glance-down', [number, number]> = {
  camera: [0, 0],
  user: [0, 0],
  left: [-0.9, 0],
  right: [0.9, 0],
  up: [0, 0.8],
  down: [0, -0.8],
  away: [0.7, -0.3],
  'glance-left': [-0.6, 0.1],
  'glance-right': [0.6, 0.1],
  'glance-down': [0.1, -0.5],
};

const RELAXED_HAND: HandShape = { curl: 0.25, point: 0, thumb: 0 };

export const createPersonaTargets = (world: PersonaWorld, eid: number, vocabulary: Vocabulary): PersonaTargets => {
  const { BodyLayers: body, FaceLayers: face, Speech, PoseTarget } = world.components;
  const rotations = eid * ROTATION_STRIDE;
  const hands = eid * HAND_CHANNEL_COUNT;
  const channels = eid * EXPRESSION_CHANNEL_COUNT;

  /** How soon the body should arrive; the root eases over `rootMs` (a turn's whole length) when given. */
  const timing = (ms: number, rootMs?: number) => {
    PoseTarget.arriveAt[eid] = world.time.now + ms;
    PoseTarget.smoothMs[eid] = Math.max(30, ms * 0.45);
    if (rootMs !== undefined) PoseTarget.rootSmoothMs[eid] = Math.max(30, rootMs * 0.45);
  };
  const writeHands = (column: Float32Array, shapes: [HandShape | undefined, HandShape | undefined], fallback: number | null) => {
    shapes.forEach((shape, side) => {
      const at = hands + side * 3;
      if (shape) column.set([shape.curl, shape.point, shape.thumb], at);
      else if (fallback === null) column.set([RELAXED_HAND.curl, RELAXED_HAND.point, RELAXED_HAND.thumb], at);
      else column.fill(fallback, at, at + 3);
    });
  };
  /** An expression's channels at `intensity` into `column` (the channels it does not name: 0). */
  const writeExpression = (column: Float32Array, name: string, intensity: number) => {
    column.fill(0, channels, channels + EXPRESSION_CHANNEL_COUNT);
    const recipe = findExpression(vocabulary, name)?.channels ?? {};
    for (const [channel, weight] of Object.entries(recipe)) column[channels + channelIndex(channel as ExpressionChannel)] = weight * intensity;
  };
  const writeKeyframeFace = (channelsOfKey: FaceChannels | undefined) => {
    face.keyframe.fill(Number.NaN, channels, channels + EXPRESSION_CHANNEL_COUNT);
    for (const [channel, weight] of Object.entries(channelsOfKey ?? {})) face.keyframe[channels + channelIndex(channel as ExpressionChannel)] = weight;
  };

  return {
    posture(name: PostureName, ms: number) {
      const rest = vocabulary.postures[name];
      body.restRootX[eid] = rest.rootX ?? 0;
      body.restRootY[eid] = rest.rootY ?? 0;
      body.restRootYaw[eid] = rest.rootYaw ?? 0;
      JOINTS.forEach((joint, j) => body.restRotation.set(rest.joints[joint] ?? [0, 0, 0], rotations + j * 3));
      writeHands(body.restHand, [rest.hands?.left, rest.hands?.right], null);
      timing(ms, ms);
      PoseTarget.kick[eid] = 1; // a posture change starts from rest
    },

    gesture(key: Keyframe | null, ms: number) {
      if (key && body.keyOn[eid] === 0) PoseTarget.kick[eid] = 1; // a gesture's first keyframe: start moving at once
      body.keyOn[eid] = key ? 1 : 0;
      body.keyRootX[eid] = key?.root?.x ?? 0;
      body.keyRootY[eid] = key?.root?.y ?? 0;
      body.keyRootYaw[eid] = key?.root?.yaw ?? 0;
      JOINTS.forEach((joint, j) => {
        const r = key?.joints[joint];
        if (r) body.keyRotation.set(r, rotations + j * 3);
        else body.keyRotation.fill(Number.NaN, rotations + j * 3, rotations + j * 3 + 3);
      });
      writeHands(body.keyHand, [key?.hands?.left, key?.hands?.right], Number.NaN);
      writeKeyframeFace(key?.face);
      timing(ms, key?.root ? ms : undefined);
    },

    stance(at: Stance, ms: number) {
      body.stanceYaw[eid] = at.yaw;
      body.stanceX[eid] = at.x;
      timing(ms, ms);
    },

    expression(name: string, intensity: number, ms: number) {
      writeExpression(face.emotion, name, intensity);
      face.emotionSmoothMs[eid] = ms;
      const mood = findExpression(vocabulary, name)?.body ?? {};
      JOINTS.forEach((joint, j) => {
        const r = mood[joint];
        body.moodRotation.set(r ? [r[0] * intensity, r[1] * intensity, r[2] * intensity] : [0, 0, 0], rotations + j * 3);
      });
    },

    gestureFace(expression: { name: string; intensity: number } | null, ms: number) {
      if (!expression) {
        face.gestureOn[eid] = 0;
        face.emotionSmoothMs[eid] = ms;
        return;
      }
      writeExpression(face.gesture, expression.name, expression.intensity);
      face.gestureSmoothMs[eid] = ms;
      face.gestureOn[eid] = 1;
    },

    speak(text: string | null, voice?: SpokenLine) {
      Speech.text[eid] = text ?? '';
      Speech.mouth[eid] = text && voice ? voice.mouth : null;
      Speech.startedAt[eid] = !text ? Number.NaN : voice ? voice.startsAt : world.time.now;
    },

    blink(closed: boolean) {
      face.blink[eid] = closed ? 1 : 0;
    },

    gaze(target: GazeTarget | 'glance-left' | 'glance-right' | 'glance-down') {
      [face.lookX[eid], face.lookY[eid]] = GAZE_LOOK[target];
    },

    weightShift(side: -1 | 0 | 1) {
      body.weightShift[eid] = side;
      timing(1200);
    },
  };
};
