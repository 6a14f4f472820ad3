/**
 * Pure decisions the behaviour chart makes when an action is asked for: run it now, queue it,
 * get into the right posture first, or refuse with a reason the conversation layer can repeat.
 */
import { findAction, type ActionDefinition, type GestureAction, type PostureName, type Vocabulary } from './vocabulary.js';

/** An action waiting to run, as asked. */
export interface ActionRequest {
  name: string;
  repeat?: number;
  speed?: number;
  /** Wait behind what runs even if the action would normally interrupt it. */
  queue?: boolean;
  directiveId?: string;
}

/** What runs now, as the planner sees it. */
export interface Activity {
  kind: 'idle' | 'gesture' | 'posture';
  name?: string;
}

export type Plan =
  | { kind: 'refuse'; reason: string }
  /** Cancel the running gesture (if any) and clear the queue; then run `queue`. */
  | { kind: 'replace'; queue: ActionRequest[] }
  /** Append to the queue; it runs when the current activity ends. */
  | { kind: 'enqueue'; queue: ActionRequest[] };

/** Most steps waiting behind the running action; a request past it is refused (a flood of lines cannot grow the queue without end). */
export const MAX_QUEUED = 8;

/** Where the persona stands: facing (yaw, radians, 0 = the camera; kept unwrapped) and sideways offset (metres). */
export interface Stance {
  yaw: number;
  x: number;
}

/** Sideways room on the stage, metres from centre: steps stop at the edge. */
const STAGE_HALF_WIDTH = 0.45;

/** The stance after a gesture's lasting change: turns add up, a facing is reached the short way round, steps stop at the edge. */
export const nextStance = (at: Stance, change: NonNullable<GestureAction['stance']>): Stance => {
  let yaw = at.yaw + (change.turnBy ?? 0);
  if (change.faceYaw !== undefined) yaw = change.faceYaw + Math.round((yaw - change.faceYaw) / (2 * Math.PI)) * 2 * Math.PI;
  const x = change.moveX === undefined ? at.x : Math.max(-STAGE_HALF_WIDTH, Math.min(STAGE_HALF_WIDTH, at.x + change.moveX));
  return { yaw, x };
};

/** Which way she faces, in words: the camera, her left or right (profile), or away (back mostly turned). */
export const facingOf = (yaw: number): 'camera' | 'left' | 'right' | 'away' => {
  const a = Math.atan2(Math.sin(yaw), Math.cos(yaw));
  if (Math.abs(a) <= Math.PI / 4) return 'camera';
  if (Math.abs(a) >= (3 * Math.PI) / 4) return 'away';
  return a < 0 ? 'left' : 'right';
};

/** The action that turns her to the camera (a gesture whose stance faces yaw 0), if the vocabulary has one. */
export const faceCameraAction = (vocabulary: Vocabulary): ActionDefinition | undefined =>
  vocabulary.actions.find((a) => a.kind === 'gesture' && a.stance?.faceYaw === 0 && a.stance.turnBy === undefined);

/** The facing once every queued stance change has played. */
const yawAfter = (vocabulary: Vocabulary, yaw: number, queue: readonly ActionRequest[]): number =>
  queue.reduce((y, request) => {
    const action = findAction(vocabulary, request.name);
    return action?.kind === 'gesture' && action.stance ? nextStance({ yaw: y, x: 0 }, action.stance).yaw : y;
  }, yaw);

/** Is a looping gesture (a dance) what runs now? Anything asked for meanwhile ends it, rather than waiting for ever. */
const loopRuns = (vocabulary: Vocabulary, activity: Activity): boolean => {
  if (activity.kind !== 'gesture' || !activity.name) return false;
  const running = findAction(vocabulary, activity.name);
  return running?.kind === 'gesture' && !!running.loop;
};

const postureActionTo = (vocabulary: Vocabulary, posture: PostureName): ActionDefinition | undefined =>
  vocabulary.actions.find((a) => a.kind === 'posture' && a.to === posture);

/** The posture the persona will be in once the running change and every queued change are done. */
export const postureAfter = (vocabulary: Vocabulary, posture: PostureName, queue: readonly ActionRequest[]): PostureName =>
  queue.reduce<PostureName>((p, request) => {
    const action = findAction(vocabulary, request.name);
    return action?.kind === 'posture' ? action.to : p;
  }, posture);

const enqueue = (queue: readonly ActionRequest[], steps: ActionRequest[]): Plan =>
  queue.length + steps.length > MAX_QUEUED
    ? { kind: 'refuse', reason: `I already have ${queue.length} things lined up; ask again once I'm through them, or say "stop"` }
    : { kind: 'enqueue', queue: steps };

export const planRequest = (
  vocabulary: Vocabulary,
  request: ActionRequest,
  state: { posture: PostureName; activity: Activity; queue: readonly ActionRequest[]; yaw?: number },
): Plan => {
  const action = findAction(vocabulary, request.name);
  if (!action) return { kind: 'refuse', reason: `"${request.name}" is not something I know how to do` };
  if (action.kind === 'control') return { kind: 'replace', queue: [] };

  const busy = state.activity.kind !== 'idle';
  // A request that interrupts discards the queue, so only the running change counts toward the posture.
  // Any request not asked to wait ("and then") ends a running loop: a dance would otherwise hold it for ever.
  const interrupting =
    !request.queue && state.activity.kind !== 'posture' && ((action.kind === 'gesture' && action.interrupts) || loopRuns(vocabulary, state.activity));
  const posture = postureAfter(vocabulary, state.posture, interrupting ? [] : state.queue);

  if (action.kind === 'posture') {
    if (posture === action.to) return { kind: 'refuse', reason: `already ${action.to}` };
    return busy && !interrupting ? enqueue(state.queue, [request]) : { kind: 'replace', queue: [request] };
  }

  const steps: ActionRequest[] = [request];
  // A gesture that needs her face, asked for with her back turned: she turns round first.
  const turnBack = faceCameraAction(vocabulary);
  if (!action.stance && turnBack && facingOf(yawAfter(vocabulary, state.yaw ?? 0, interrupting ? [] : state.queue)) === 'away') {
    steps.unshift({ name: turnBack.name, directiveId: request.directiveId });
  }
  if (action.posture !== 'any' && action.posture !== posture) {
    if (action.whenWrongPosture === 'refuse') return { kind: 'refuse', reason: `can't ${action.name.replace(/_/g, ' ')} while ${posture}` };
    const change = postureActionTo(vocabulary, action.posture);
    if (!change) return { kind: 'refuse', reason: `no way to get ${action.posture} first` };
    steps.unshift({ name: change.name, directiveId: request.directiveId });
  }
  if (!busy || interrupting) return { kind: 'replace', queue: steps };
  return enqueue(state.queue, steps);
};
