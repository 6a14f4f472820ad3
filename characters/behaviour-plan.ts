/**
 * Pure decisions the behaviour chart makes when an action is asked for: run it now, queue it,
 * get into the right posture first, or refuse with a reason the conversation layer can repeat.
 */
import { findAction, type ActionDefinition, type PostureName, type Vocabulary } from './vocabulary.js';

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
  state: { posture: PostureName; activity: Activity; queue: readonly ActionRequest[] },
): Plan => {
  const action = findAction(vocabulary, request.name);
  if (!action) return { kind: 'refuse', reason: `"${request.name}" is not something I know how to do` };
  if (action.kind === 'control') return { kind: 'replace', queue: [] };

  const busy = state.activity.kind !== 'idle';
  // A request that interrupts discards the queue, so only the running change counts toward the posture.
  const interrupting = action.kind === 'gesture' && action.interrupts && !request.queue && state.activity.kind !== 'posture';
  const posture = postureAfter(vocabulary, state.posture, interrupting ? [] : state.queue);

  if (action.kind === 'posture') {
    if (posture === action.to) return { kind: 'refuse', reason: `already ${action.to}` };
    return busy ? enqueue(state.queue, [request]) : { kind: 'replace', queue: [request] };
  }

  const steps: ActionRequest[] = [request];
  if (action.posture !== 'any' && action.posture !== posture) {
    if (action.whenWrongPosture === 'refuse') return { kind: 'refuse', reason: `can't ${action.name.replace(/_/g, ' ')} while ${posture}` };
    const change = postureActionTo(vocabulary, action.posture);
    if (!change) return { kind: 'refuse', reason: `no way to get ${action.posture} first` };
    steps.unshift({ name: change.name, directiveId: request.directiveId });
  }
  if (!busy || interrupting) return { kind: 'replace', queue: steps };
  return enqueue(state.queue, steps);
};
