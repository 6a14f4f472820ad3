/** Output phase: extracts each persona's state for the UI (incl. the chart's active states and queue) and publishes changes. */
import type { PersonaState } from '../../protocol/events.js';
import { facingOf } from '../../characters/behaviour-plan.js';
import type { PersonaRecord, PersonaWorld } from '../resources.js';

/** Active state paths, one per region leaf: "activity.gesturing.keyframe", "emotion.feeling", … */
const activePaths = (value: unknown, prefix = ''): string[] => {
  if (typeof value === 'string') return [prefix ? `${prefix}.${value}` : value];
  return Object.entries(value as Record<string, unknown>).flatMap(([key, child]) => activePaths(child, prefix ? `${prefix}.${key}` : key));
};

export const extractState = (persona: PersonaRecord, tick: number): PersonaState => {
  const snapshot = persona.actor.getSnapshot();
  const { activity, queue, feeling, gazeTarget, posture, stance } = snapshot.context;
  return {
    character: persona.character.id,
    posture,
    facing: facingOf(stance.yaw),
    action: activity.name ?? 'idle',
    expression: feeling.name,
    intensity: feeling.intensity,
    gaze: gazeTarget,
    chart: activePaths(snapshot.value),
    queue: queue.map((q) => q.name),
    tick,
  };
};

export const publishState = (world: PersonaWorld): void => {
  const sinks = world.resources.outputs.state;
  if (sinks.size === 0) return;
  for (const [eid, persona] of world.resources.personas) {
    const state = extractState(persona, world.time.tick);
    const key = JSON.stringify({ ...state, tick: 0 });
    if (persona.lastStateKey === key) continue;
    persona.lastStateKey = key;
    for (const sink of sinks) sink(eid, state);
  }
};
