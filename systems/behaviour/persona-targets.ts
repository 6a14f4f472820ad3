/**
 * Implements the chart's PersonaTargets for one entity. The body target is the posture's resting
 * pose, moved to the stance (facing, position), with the current gesture keyframe laid over it and
 * the idle weight shift added. The face is kept as layers (emotion < gesture face < speech mouth <
 * blink) that the blend-expression system composes each tick.
 */
import { EXPRESSION_CHANNEL_COUNT, HAND_CHANNEL_COUNT, channelIndex, type ExpressionChannel } from '../../protocol/conditioning.js';
import type { GazeTarget } from '../../protocol/directive.js';
import { JOINTS, jointIndex, type BodyPose, type HandShape } from '../../protocol/skeleton.js';
import { ROTATION_STRIDE } from '../../engine/components.js';
import type { PersonaWorld } from '../resources.js';
import type { PersonaTargets } from '../../characters/behaviour-chart.js';
import { findExpression, type FaceChannels, type GestureAction, type Keyframe, type PostureName, type Vocabulary } from '../../characters/vocabulary.js';

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

/** Sideways room on the stage, metres from centre: steps stop at the edge. */
const STAGE_HALF_WIDTH = 0.45;
const RELAXED_HAND: HandShape = { curl: 0.25, point: 0, thumb: 0 };
const SPINE_ROLL = jointIndex('spine') * 3 + 2;
const HEAD_ROLL = jointIndex('head') * 3 + 2;

/** One face layer: channel weights and how fast the face eases toward them. */
export interface FaceLayer {
  weights: Float32Array;
  smoothMs: number;
}

const layer = (): FaceLayer => ({ weights: new Float32Array(EXPRESSION_CHANNEL_COUNT), smoothMs: 350 });

export class PoseTargetWriter implements PersonaTargets {
  private postureName: PostureName = 'standing';
  private key: Keyframe | null = null;
  private yaw = 0;
  private x = 0;
  private weight: -1 | 0 | 1 = 0;
  /** The face layers the blend-expression system composes, lowest first. */
  readonly face = {
    emotion: layer(),
    gesture: null as FaceLayer | null,
    /** Channels the current keyframe adds (a yawn's open mouth). */
    keyframe: null as FaceChannels | null,
    speech: null as { text: string; startedAt: number } | null,
    blink: 0,
    look: [0, 0] as [number, number],
  };

  constructor(
    private readonly world: PersonaWorld,
    private readonly eid: number,
    private readonly vocabulary: Vocabulary,
  ) {}

  /** The posture whose resting pose the target is built on. */
  get currentPosture(): PostureName {
    return this.postureName;
  }

  posture(name: PostureName, ms: number): void {
    this.postureName = name;
    this.compose(ms, ms);
  }

  gesture(key: Keyframe | null, ms: number): void {
    this.key = key;
    this.face.keyframe = key?.face ?? null;
    this.compose(ms);
  }

  stance(change: NonNullable<GestureAction['stance']>, ms: number): void {
    if (change.turnBy !== undefined) this.yaw += change.turnBy;
    if (change.faceYaw !== undefined) {
      // Turn the short way round to the asked facing.
      const turns = Math.round((this.yaw - change.faceYaw) / (2 * Math.PI));
      this.yaw = change.faceYaw + turns * 2 * Math.PI;
    }
    if (change.moveX !== undefined) this.x = Math.max(-STAGE_HALF_WIDTH, Math.min(STAGE_HALF_WIDTH, this.x + change.moveX));
    this.compose(ms, ms);
  }

  expression(name: string, intensity: number, ms: number): void {
    this.fill(this.face.emotion, name, intensity);
    this.face.emotion.smoothMs = ms;
  }

  gestureFace(face: { name: string; intensity: number } | null, ms: number): void {
    if (!face) {
      if (this.face.gesture) this.face.gesture = null;
      this.face.emotion.smoothMs = ms;
      return;
    }
    const l = layer();
    this.fill(l, face.name, face.intensity);
    l.smoothMs = ms;
    this.face.gesture = l;
  }

  speak(text: string | null): void {
    this.face.speech = text ? { text, startedAt: this.world.time.now } : null;
  }

  blink(closed: boolean): void {
    this.face.blink = closed ? 1 : 0;
  }

  gaze(target: GazeTarget | 'glance-left' | 'glance-right' | 'glance-down'): void {
    this.face.look = GAZE_LOOK[target];
  }

  weightShift(side: -1 | 0 | 1): void {
    this.weight = side;
    this.compose(1200);
  }

  private fill(l: FaceLayer, name: string, intensity: number): void {
    l.weights.fill(0);
    const channels = findExpression(this.vocabulary, name)?.channels ?? {};
    for (const [channel, weight] of Object.entries(channels)) l.weights[channelIndex(channel as ExpressionChannel)] = weight * intensity;
  }

  /**
   * Target = posture's resting pose at the stance, the keyframe's joints replacing those it names,
   * plus weight shift. The root eases over `rootMs` (a turn's whole length) unless the keyframe moves it.
   */
  private compose(ms: number, rootMs?: number): void {
    const { eid } = this;
    const { PoseTarget } = this.world.components;
    const rest: BodyPose = this.vocabulary.postures[this.postureName];
    const root = this.key?.root;
    PoseTarget.rootX[eid] = (rest.rootX ?? 0) + this.x + (root?.x ?? 0);
    PoseTarget.rootY[eid] = (rest.rootY ?? 0) + (root?.y ?? 0);
    PoseTarget.rootYaw[eid] = (rest.rootYaw ?? 0) + this.yaw + (root?.yaw ?? 0);
    const base = eid * ROTATION_STRIDE;
    JOINTS.forEach((joint, j) => {
      const r = this.key?.joints[joint] ?? rest.joints[joint] ?? [0, 0, 0];
      PoseTarget.rotation[base + j * 3] = r[0];
      PoseTarget.rotation[base + j * 3 + 1] = r[1];
      PoseTarget.rotation[base + j * 3 + 2] = r[2];
    });
    // A weight shift leans the upper body a little; the head stays level. Legs and feet do not move.
    PoseTarget.rotation[base + SPINE_ROLL]! += 0.035 * this.weight;
    PoseTarget.rotation[base + HEAD_ROLL]! -= 0.025 * this.weight;
    const hand = eid * HAND_CHANNEL_COUNT;
    const shapes = [this.key?.hands?.left ?? rest.hands?.left ?? RELAXED_HAND, this.key?.hands?.right ?? rest.hands?.right ?? RELAXED_HAND];
    shapes.forEach((shape, side) => PoseTarget.hand.set([shape.curl, shape.point, shape.thumb], hand + side * 3));
    PoseTarget.arriveAt[eid] = this.world.time.now + ms;
    PoseTarget.smoothMs[eid] = Math.max(30, ms * 0.45);
    if (rootMs !== undefined || root) PoseTarget.rootSmoothMs[eid] = Math.max(30, (rootMs ?? ms) * 0.45);
  }
}
