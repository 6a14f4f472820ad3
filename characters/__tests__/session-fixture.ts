/** A persona in a real world on the simulated clock, with its events collected. No frame source. */
import type { EngineEvent } from '../../protocol/events.js';
import { SimulatedClock } from '../../engine/clock.js';
import { PersonaSession } from '../../app/session.js';

export const simulatedPersona = (character?: string, options: { lipSyncText?: boolean } = {}) => {
  const session = new PersonaSession({ clock: new SimulatedClock(), source: null, character, ...options });
  const events: EngineEvent[] = [];
  session.onEvent((e) => events.push(e));
  const act = (name: string, extra: { repeat?: number; speed?: number; queue?: boolean } = {}) =>
    session.submit({ id: `${name}-${events.length}-${session.world.time.tick}`, source: 'user', action: { name, ...extra } });
  /** Steps until `done` holds (or `maxTicks` pass); returns ticks taken. */
  const stepUntil = (done: () => boolean, maxTicks = 2000) => {
    let ticks = 0;
    while (!done() && ticks < maxTicks) {
      session.step();
      ticks++;
    }
    if (!done()) throw new Error(`condition not met within ${maxTicks} ticks; events: ${JSON.stringify(events.slice(-5))}`);
    return ticks;
  };
  const find = (type: EngineEvent['type'], action?: string) =>
    events.find((e) => e.type === type && (action === undefined || ('action' in e && e.action === action)));
  return { session, events, act, stepUntil, find, dt: session.world.time.dt };
};
