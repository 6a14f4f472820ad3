/** Behaviour phase: fires the behaviour charts' delays that fell due by this tick's engine time. */
import type { PersonaWorld } from '../resources.js';

export const fireBehaviourTimers = (world: PersonaWorld): void => {
  world.timers.fireDue(world.time.now);
};
