/**
 * The skeleton every frame source draws: 17 joints whose points map onto OpenPose BODY-18.
 *
 * Rotations are local, in radians, stored as [pitch, yaw, roll] per joint. World axes: x to the
 * viewer's right, y up, z toward the viewer; at root yaw 0 the character faces the viewer.
 * - pitch: about x. Positive tips bones that point up (spine, neck, head) forward, as in a nod or
 *   a bow, and swings bones that point down (arms, legs) backward; raise an arm forward with a
 *   negative pitch, bend a knee with a positive one.
 * - yaw: about y. Positive turns toward the character's left.
 * - roll: about z. Positive lifts a limb outward, away from the body (mirrored on the right side,
 *   so the same numbers mean the same movement on both sides).
 */
export const JOINTS = [
  'hips', 'spine', 'chest', 'neck', 'head',
  'left_shoulder', 'left_elbow', 'left_wrist',
  'right_shoulder', 'right_elbow', 'right_wrist',
  'left_hip', 'left_knee', 'left_ankle',
  'right_hip', 'right_knee', 'right_ankle',
] as const;

export type JointName = (typeof JOINTS)[number];

export const JOINT_COUNT = JOINTS.length;

export const jointIndex = (name: JointName): number => JOINTS.indexOf(name);

/** A rotation for some joints: [pitch, yaw, roll] in radians. */
export type JointRotations = Partial<Record<JointName, readonly [number, number, number]>>;

/** A hand's shape: fingers curled, index pointing, thumb up; each 0..1 (see protocol/conditioning.ts). */
export interface HandShape {
  curl: number;
  point: number;
  thumb: number;
}

export const HAND_SHAPES = {
  open: { curl: 0, point: 0, thumb: 0 },
  fist: { curl: 1, point: 0, thumb: 0 },
  point: { curl: 1, point: 1, thumb: 0 },
  thumbs_up: { curl: 1, point: 0, thumb: 1 },
} as const satisfies Record<string, HandShape>;

/** A whole-body pose: root offset and yaw, plus joint rotations (missing joints rest at 0). */
export interface BodyPose {
  /** Sideways offset of the hips, metres. */
  rootX?: number;
  /** Vertical offset of the hips from standing height, metres (negative when sitting). */
  rootY?: number;
  /** Turn of the whole body, radians; π faces away from the viewer. */
  rootYaw?: number;
  joints: JointRotations;
  /** Hand shapes; a missing hand keeps the posture's (relaxed, slightly curled). */
  hands?: { left?: HandShape; right?: HandShape };
}
