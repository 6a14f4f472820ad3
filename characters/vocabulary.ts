/**
 * The vocabulary's shape: canonical snake_case action and expression names, the keyframed pose
 * tracks behind each action, the posture it needs, whether it interrupts or queues, its paired
 * face, and the words the embedded interpreter knows it by. The shared default lives in
 * default-vocabulary.ts; a character may extend or override it.
 */
import type { ExpressionChannel } from '../protocol/conditioning.js';
import type { BodyPose, HandShape, JointRotations } from '../protocol/skeleton.js';

export type PostureName = 'standing' | 'sitting';

/** Face channel weights at full intensity (an expression's recipe, or a keyframe's mouth shape). */
export type FaceChannels = Partial<Record<ExpressionChannel, number>>;

/** One keyframe: what the gesture moves (the rest follows the posture), reached over `ms`. */
export interface Keyframe {
  ms: number;
  joints: JointRotations;
  hands?: { left?: HandShape; right?: HandShape };
  /** Offsets from the stance: hips up/down (jump, bounce), sideways, turn. Metres and radians. */
  root?: { x?: number; y?: number; yaw?: number };
  /** Face channels this keyframe adds to the gesture's face (a yawn's open mouth). */
  face?: FaceChannels;
}

interface ActionBase {
  name: string;
  /** Words and phrases that ask for it, lowercase; the embedded interpreter matches the longest. */
  synonyms: readonly string[];
  /** Face shown while it plays (the gesture-face layer, above the emotion). */
  expression?: { name: string; intensity: number };
}

/** What an action does when the persona is in another posture than it needs. */
export type WrongPostureRule = 'transition' | 'refuse';

/**
 * A gesture plays on top of the posture: intro, `repeat` × cycle, outro. `loop` gestures repeat
 * their cycle until stopped or interrupted. A `stance` change (turning, stepping) persists after it.
 */
export interface GestureAction extends ActionBase {
  kind: 'gesture';
  intro: readonly Keyframe[];
  cycle: readonly Keyframe[];
  outro: readonly Keyframe[];
  defaultRepeat: number;
  loop?: boolean;
  /** 'any', or the posture it needs. */
  posture: PostureName | 'any';
  whenWrongPosture: WrongPostureRule;
  /** true: cancels a running gesture; false: waits in the queue behind it. */
  interrupts: boolean;
  /** A lasting change of where the persona stands or faces, eased over the gesture's length. */
  stance?: { turnBy?: number; faceYaw?: number; moveX?: number };
}

/** A posture change moves the whole body to another resting pose. */
export interface PostureAction extends ActionBase {
  kind: 'posture';
  to: PostureName;
  ms: number;
}

/** Controls: `stop` cancels what runs and clears the queue; `idle` does the same, gently. */
export interface ControlAction extends ActionBase {
  kind: 'control';
}

export type ActionDefinition = GestureAction | PostureAction | ControlAction;

export interface ExpressionDefinition {
  name: string;
  synonyms: readonly string[];
  /** Channel weights at intensity 1; scaled by the asked intensity. */
  channels: FaceChannels;
  /**
   * What the body adds while the feeling shows (a head tilt for confused, head down for sad), as
   * joint rotations at intensity 1 laid over whatever pose or action plays; head, neck and torso only.
   */
  body?: JointRotations;
}

export interface Vocabulary {
  actions: readonly ActionDefinition[];
  expressions: readonly ExpressionDefinition[];
  gaze: readonly string[];
  postures: Record<PostureName, BodyPose>;
}

export const actionNames = (v: Vocabulary): string[] => v.actions.map((a) => a.name);
export const expressionNames = (v: Vocabulary): string[] => v.expressions.map((e) => e.name);

export const findAction = (v: Vocabulary, name: string): ActionDefinition | undefined => v.actions.find((a) => a.name === name);
export const findExpression = (v: Vocabulary, name: string): ExpressionDefinition | undefined =>
  v.expressions.find((e) => e.name === name);

/** Keyframes a gesture plays for `repeat` cycles (a looping gesture: its first pass). */
export const gestureKeyframes = (action: GestureAction, repeat = action.defaultRepeat): Keyframe[] => [
  ...action.intro,
  ...Array.from({ length: action.cycle.length ? Math.max(1, repeat) : 0 }, () => action.cycle).flat(),
  ...action.outro,
];

/** How long a gesture plays, ms, at a speed multiplier (a looping gesture: one pass). */
export const gestureDuration = (action: GestureAction, repeat = action.defaultRepeat, speed = 1): number =>
  gestureKeyframes(action, repeat).reduce((sum, k) => sum + k.ms / speed, 0);

/** A character's vocabulary: the default with some actions or expressions added or replaced by name. */
export const extendVocabulary = (
  base: Vocabulary,
  changes: { actions?: readonly ActionDefinition[]; expressions?: readonly ExpressionDefinition[] },
): Vocabulary => {
  const merge = <T extends { name: string }>(list: readonly T[], extra: readonly T[] = []) => [
    ...list.filter((item) => !extra.some((e) => e.name === item.name)),
    ...extra,
  ];
  return { ...base, actions: merge(base.actions, changes.actions), expressions: merge(base.expressions, changes.expressions) };
};

// The shared default, re-exported here so a character file needs one import.
export { DEFAULT_VOCABULARY, POSTURES } from './default-vocabulary.js';
