/** Output phase: drains the engine events raised this tick to the event sinks (chat, UI, LLM feedback). */
import type { PersonaWorld } from '../../engine/world.js';
import { outputs } from '../resources.js';

export const publishEvents = (world: PersonaWorld): void => {
  if (world.events.length === 0) return;
  const sinks = outputs(world).event;
  for (const { eid, event } of world.events.splice(0)) for (const sink of sinks) sink(eid, event);
};
