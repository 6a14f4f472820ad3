/** Output phase: extracts each persona's state for the UI and publishes it when it changes. */
import type { PersonaState } from '../../protocol/events.js';
import type { PersonaWorld } from '../../engine/world.js';
import { outputs, personas, type PersonaRecord } from '../resources.js';

const lastPublished = new WeakMap<PersonaRecord, string>();

export const extractState = (persona: PersonaRecord, tick: number): PersonaState => {
  const snapshot = persona.actor.getSnapshot();
  const value = snapshot.value as Record<string, string | Record<string, string>>;
  const posture = typeof value.posture === 'string' ? value.posture : 'standing';
  const { gesture, postureChange, feeling, gazeTarget } = snapshot.context;
  const changing = posture === 'sittingDown' || posture === 'standingUp';
  return {
    character: persona.character.id,
    posture,
    action: gesture?.name ?? (changing && postureChange ? postureChange.name : 'idle'),
    expression: feeling.name,
    intensity: feeling.intensity,
    gaze: gazeTarget,
    tick,
  };
};

export const publishState = (world: PersonaWorld): void => {
  const sinks = outputs(world).state;
  if (sinks.size === 0) return;
  for (const [eid, persona] of personas(world)) {
    const state = extractState(persona, world.time.tick);
    const key = `${state.posture}|${state.action}|${state.expression}|${state.intensity}|${state.gaze}`;
    if (lastPublished.get(persona) === key) continue;
    lastPublished.set(persona, key);
    for (const sink of sinks) sink(eid, state);
  }
};
