/** Output phase: drains the engine events raised this tick to the event sinks (chat, UI, LLM feedback). */
import type { PersonaWorld } from '../resources.js';

export const publishEvents = (world: PersonaWorld): void => {
  if (world.events.length === 0) return;
  const sinks = world.resources.outputs.event;
  for (const { eid, event } of world.events.splice(0)) for (const sink of sinks) sink(eid, event);
};
