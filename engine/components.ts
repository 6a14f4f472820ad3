/**
 * Components: plain objects of typed-array columns indexed by entity id (bitecs 0.4).
 * Multi-value columns (joint rotations, expression weights) use a fixed stride per entity.
 *
 * The columns belong to the world: `createComponents()` makes a fresh set for each world, so two
 * worlds in one process (several sessions per server) never share a row even though each numbers
 * its entities from 1. Systems read them from `world.components`.
 */
import { JOINT_COUNT } from '../protocol/skeleton.js';
import { EXPRESSION_CHANNEL_COUNT, HAND_CHANNEL_COUNT } from '../protocol/conditioning.js';
import type { MouthEvent } from '../protocol/voice.js';

/** Most entities one world holds; column sizes follow from it. */
export const MAX_ENTITIES = 64;

/** Floats per entity in a rotation column: [pitch, yaw, roll] per joint. */
export const ROTATION_STRIDE = JOINT_COUNT * 3;

const scalars = () => new Float32Array(MAX_ENTITIES);
const rotations = () => new Float32Array(MAX_ENTITIES * ROTATION_STRIDE);
const hands = () => new Float32Array(MAX_ENTITIES * HAND_CHANNEL_COUNT);
const weights = () => new Float32Array(MAX_ENTITIES * EXPRESSION_CHANNEL_COUNT);

/** A fresh set of component columns for one world. */
export const createComponents = () => ({
  /** The pose being shown: root offset and yaw, local joint rotations, hand shapes. */
  Pose: {
    rootX: scalars(),
    rootY: scalars(),
    rootYaw: scalars(),
    rotation: rotations(),
    /** HAND_CHANNEL_COUNT per entity: left curl, point, thumb, then right. */
    hand: hands(),
  },
  /** Velocities of Pose's values, kept by the spring that eases toward the target. */
  PoseVelocity: { rootX: scalars(), rootY: scalars(), rootYaw: scalars(), rotation: rotations(), hand: hands() },
  /** Where behaviour wants the pose to go, and how soon (ms of engine time). */
  PoseTarget: {
    rootX: scalars(),
    rootY: scalars(),
    rootYaw: scalars(),
    rotation: rotations(),
    hand: hands(),
    /** Engine time at which the pose should have arrived. */
    arriveAt: new Float64Array(MAX_ENTITIES),
    /** Spring smoothing time of the joints and hands, ms: about how long the ease takes. */
    smoothMs: scalars(),
    /** Spring smoothing time of the root (position, height, facing), ms: turns and steps ease over their own length. */
    rootSmoothMs: scalars(),
    /**
     * 1 when an action has just started from rest: the ease gives the pose its first step's speed at
     * once, so the first frame already shows the motion (a spring from rest starts with a sub-pixel step).
     */
    kick: new Uint8Array(MAX_ENTITIES),
  },
  /** Expression weights being shown, channel order of protocol EXPRESSION_CHANNELS. */
  Expression: { weight: weights() },
  /** Expression weights behaviour wants, with per-channel smoothing (ms). */
  ExpressionTarget: { weight: weights(), smoothMs: weights() },
  /**
   * What behaviour laid over the body, composed into PoseTarget by the compose-pose-target system:
   * the posture's resting pose, the stance it stands at (turns, steps), the gesture keyframe's
   * joints and hands (NaN where the keyframe names none: the rest pose shows) and root offset, and
   * the idle weight shift (-1, 0, 1), and what the feeling adds (head tilt, bowed head).
   */
  BodyLayers: {
    restRootX: scalars(),
    restRootY: scalars(),
    restRootYaw: scalars(),
    restRotation: rotations(),
    restHand: hands(),
    stanceX: scalars(),
    stanceYaw: scalars(),
    keyRootX: scalars(),
    keyRootY: scalars(),
    keyRootYaw: scalars(),
    keyRotation: rotations().fill(Number.NaN),
    keyHand: hands().fill(Number.NaN),
    /** What the feeling adds to the body (a tilt, a bowed head), over everything else; 0 without one. */
    moodRotation: rotations(),
    /** 1 while a gesture keyframe is laid over the posture. */
    keyOn: new Uint8Array(MAX_ENTITIES),
    weightShift: new Int8Array(MAX_ENTITIES),
  },
  /**
   * The face as layers, composed into ExpressionTarget by blend-expression (lowest first): the
   * emotion, the gesture's face while it plays (`gestureOn`), the keyframe's channels (NaN: none),
   * blink and look. Each layer's smoothing, ms.
   */
  FaceLayers: {
    emotion: weights(),
    emotionSmoothMs: scalars().fill(350),
    gesture: weights(),
    gestureOn: new Uint8Array(MAX_ENTITIES),
    gestureSmoothMs: scalars(),
    keyframe: weights().fill(Number.NaN),
    blink: scalars(),
    lookX: scalars(),
    lookY: scalars(),
  },
  /**
   * The speech mouth: the line being said and the engine time its sound starts (NaN: silent); with
   * a voice, its mouth timeline on audio time (null: the mouth follows the text's letters).
   */
  Speech: {
    text: new Array<string>(MAX_ENTITIES).fill(''),
    startedAt: new Float64Array(MAX_ENTITIES).fill(Number.NaN),
    mouth: new Array<readonly MouthEvent[] | null>(MAX_ENTITIES).fill(null),
  },
  /** Who the entity is: index into the world's character table, and a seed for its idle life. */
  Identity: { character: new Uint16Array(MAX_ENTITIES), seed: new Uint32Array(MAX_ENTITIES) },
  /** Which frame ring (in the world's frame table) this entity renders into. */
  FrameSlot: { ring: new Int16Array(MAX_ENTITIES).fill(-1) },
  /** Tag: an entity that is a persona. */
  Persona: {},
});

export type Components = ReturnType<typeof createComponents>;
