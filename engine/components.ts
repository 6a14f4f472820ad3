/**
 * Components: plain objects of typed-array columns indexed by entity id (bitecs 0.4).
 * Multi-value columns (joint rotations, expression weights) use a fixed stride per entity.
 */
import { JOINT_COUNT } from '../protocol/skeleton.js';
import { EXPRESSION_CHANNEL_COUNT, HAND_CHANNEL_COUNT } from '../protocol/conditioning.js';

/** Most entities one world holds; column sizes follow from it. */
export const MAX_ENTITIES = 64;

/** Floats per entity in a rotation column: [pitch, yaw, roll] per joint. */
export const ROTATION_STRIDE = JOINT_COUNT * 3;

const rotations = () => new Float32Array(MAX_ENTITIES * ROTATION_STRIDE);
const hands = () => new Float32Array(MAX_ENTITIES * HAND_CHANNEL_COUNT);
const weights = () => new Float32Array(MAX_ENTITIES * EXPRESSION_CHANNEL_COUNT);

/** The pose being shown: root offset and yaw, local joint rotations, hand shapes. */
export const Pose = {
  rootX: new Float32Array(MAX_ENTITIES),
  rootY: new Float32Array(MAX_ENTITIES),
  rootYaw: new Float32Array(MAX_ENTITIES),
  rotation: rotations(),
  /** HAND_CHANNEL_COUNT per entity: left curl, point, thumb, then right. */
  hand: hands(),
};

/** Velocities of Pose's values, kept by the spring that eases toward the target. */
export const PoseVelocity = {
  rootX: new Float32Array(MAX_ENTITIES),
  rootY: new Float32Array(MAX_ENTITIES),
  rootYaw: new Float32Array(MAX_ENTITIES),
  rotation: rotations(),
  hand: hands(),
};

/** Where behaviour wants the pose to go, and how soon (ms of engine time). */
export const PoseTarget = {
  rootX: new Float32Array(MAX_ENTITIES),
  rootY: new Float32Array(MAX_ENTITIES),
  rootYaw: new Float32Array(MAX_ENTITIES),
  rotation: rotations(),
  hand: hands(),
  /** Engine time at which the pose should have arrived. */
  arriveAt: new Float64Array(MAX_ENTITIES),
  /** Spring smoothing time of the joints and hands, ms: about how long the ease takes. */
  smoothMs: new Float32Array(MAX_ENTITIES),
  /** Spring smoothing time of the root (position, height, facing), ms: turns and steps ease over their own length. */
  rootSmoothMs: new Float32Array(MAX_ENTITIES),
};

/** Expression weights being shown, channel order of protocol EXPRESSION_CHANNELS. */
export const Expression = { weight: weights() };

/** Expression weights behaviour wants, with per-channel smoothing (ms). */
export const ExpressionTarget = { weight: weights(), smoothMs: weights() };

/** Who the entity is: index into the world's character table, and a seed for its idle life. */
export const Identity = {
  character: new Uint16Array(MAX_ENTITIES),
  seed: new Uint32Array(MAX_ENTITIES),
};

/** Which frame ring (in the world's frame table) this entity renders into. */
export const FrameSlot = { ring: new Int16Array(MAX_ENTITIES).fill(-1) };

/** Tag: an entity that is a persona. */
export const Persona = {};
