/**
 * Input phase: drains queued Directives into each persona's behaviour actor as chart events, and
 * the voice's spoken lines (their mouth timelines) and hushes.
 */
import type { PersonaWorld } from '../resources.js';

export const applyDirectives = (world: PersonaWorld): void => {
  const table = world.resources.personas;
  for (const { eid, line } of world.resources.speech.splice(0)) {
    const actor = table.get(eid)?.actor;
    if (line === 'hush') actor?.send({ type: 'HUSH' });
    else actor?.send({ type: 'SAY', text: line.text, voice: line.voice });
  }
  const queue = world.resources.inbox;
  if (queue.length === 0) return;
  const { lipSyncText } = world.resources.settings;
  for (const { eid, directive } of queue.splice(0)) {
    const persona = table.get(eid);
    if (!persona) continue; // despawned since it was queued
    const { actor } = persona;
    if (directive.gaze) actor.send({ type: 'LOOK', target: directive.gaze });
    if (directive.dialogue && lipSyncText) actor.send({ type: 'SAY', text: directive.dialogue });
    if (directive.expression) {
      actor.send({
        type: 'FEEL',
        name: directive.expression.name,
        intensity: directive.expression.intensity,
        holdMs: directive.expression.holdMs,
        directiveId: directive.id,
      });
    }
    if (directive.action) {
      actor.send({
        type: 'ACT',
        name: directive.action.name,
        repeat: directive.action.repeat,
        speed: directive.action.speed,
        queue: directive.action.queue,
        directiveId: directive.id,
      });
    }
  }
};
