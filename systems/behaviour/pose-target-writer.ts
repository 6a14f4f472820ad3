/**
 * Implements the chart's PersonaTargets over the target components of one entity: a posture's
 * resting pose with the current gesture keyframe laid over it, expression weights, gaze, blinks.
 */
import { EXPRESSION_CHANNEL_COUNT, HAND_CHANNEL_COUNT, channelIndex, type ExpressionChannel } from '../../protocol/conditioning.js';
import type { GazeTarget } from '../../protocol/directive.js';
import { JOINTS, type BodyPose, type HandShape } from '../../protocol/skeleton.js';
import { ExpressionTarget, PoseTarget, ROTATION_STRIDE } from '../../engine/components.js';
import type { PersonaWorld } from '../../engine/world.js';
import type { PersonaTargets } from '../../characters/behaviour-chart.js';
import type { PostureName, Vocabulary } from '../../characters/vocabulary.js';

/** Expression names that drive a channel of their own; others fall back to the nearest look. */
const EMOTION_CHANNEL: Record<string, ExpressionChannel | undefined> = {
  happy: 'happy',
  angry: 'angry',
  sad: 'sad',
  relaxed: 'relaxed',
  surprised: 'surprised',
};
const EMOTIONS = ['happy', 'angry', 'sad', 'relaxed', 'surprised'] as const;

const GAZE_LOOK: Record<GazeTarget, [number, number]> = {
  camera: [0, 0],
  user: [0, 0],
  left: [-0.9, 0],
  right: [0.9, 0],
  up: [0, 0.8],
  down: [0, -0.8],
  away: [0.7, -0.3],
};

/** How a sad face gets its tear: only past this intensity. */
const TEAR_FROM = 0.5;

export class PoseTargetWriter implements PersonaTargets {
  private postureName: PostureName = 'standing';
  private overlay: BodyPose | null = null;

  constructor(
    private readonly world: PersonaWorld,
    private readonly eid: number,
    private readonly vocabulary: Vocabulary,
  ) {}

  posture(name: PostureName, ms: number): void {
    this.postureName = name;
    this.compose(ms);
  }

  /** The posture whose resting pose the target is built on. */
  get currentPosture(): PostureName {
    return this.postureName;
  }

  gesture(pose: BodyPose | null, ms: number): void {
    this.overlay = pose;
    this.compose(ms);
  }

  expression(name: string, intensity: number, ms: number): void {
    const base = this.eid * EXPRESSION_CHANNEL_COUNT;
    const own = EMOTION_CHANNEL[name];
    for (const emotion of EMOTIONS) {
      const i = base + channelIndex(emotion);
      ExpressionTarget.weight[i] = emotion === own ? intensity : 0;
      ExpressionTarget.smoothMs[i] = ms;
    }
    const tear = base + channelIndex('tear');
    ExpressionTarget.weight[tear] = own === 'sad' ? Math.max(0, (intensity - TEAR_FROM) / (1 - TEAR_FROM)) : 0;
    ExpressionTarget.smoothMs[tear] = ms;
  }

  blink(closed: boolean): void {
    const base = this.eid * EXPRESSION_CHANNEL_COUNT;
    for (const channel of ['blinkLeft', 'blinkRight'] as const) {
      ExpressionTarget.weight[base + channelIndex(channel)] = closed ? 1 : 0;
      ExpressionTarget.smoothMs[base + channelIndex(channel)] = 40;
    }
  }

  gaze(target: GazeTarget): void {
    const base = this.eid * EXPRESSION_CHANNEL_COUNT;
    const [x, y] = GAZE_LOOK[target];
    ExpressionTarget.weight[base + channelIndex('lookX')] = x;
    ExpressionTarget.weight[base + channelIndex('lookY')] = y;
    ExpressionTarget.smoothMs[base + channelIndex('lookX')] = 150;
    ExpressionTarget.smoothMs[base + channelIndex('lookY')] = 150;
  }

  /** Target = posture's resting pose, with the gesture's joints replacing those it names. */
  private compose(ms: number): void {
    const { eid } = this;
    const rest = this.vocabulary.postures[this.postureName];
    PoseTarget.rootX[eid] = rest.rootX ?? 0;
    PoseTarget.rootY[eid] = rest.rootY ?? 0;
    PoseTarget.rootYaw[eid] = rest.rootYaw ?? 0;
    const base = eid * ROTATION_STRIDE;
    JOINTS.forEach((joint, j) => {
      const r = this.overlay?.joints[joint] ?? rest.joints[joint] ?? [0, 0, 0];
      PoseTarget.rotation[base + j * 3] = r[0];
      PoseTarget.rotation[base + j * 3 + 1] = r[1];
      PoseTarget.rotation[base + j * 3 + 2] = r[2];
    });
    const hand = eid * HAND_CHANNEL_COUNT;
    const relaxed: HandShape = { curl: 0.25, point: 0, thumb: 0 };
    const shapes = [this.overlay?.hands?.left ?? rest.hands?.left ?? relaxed, this.overlay?.hands?.right ?? rest.hands?.right ?? relaxed];
    shapes.forEach((shape, side) => PoseTarget.hand.set([shape.curl, shape.point, shape.thumb], hand + side * 3));
    PoseTarget.arriveAt[eid] = this.world.time.now + ms;
    PoseTarget.smoothMs[eid] = Math.max(30, ms * 0.45);
  }
}
