/** Test helper: steps a session one tick and waits until every fill it submitted has landed (and so been published). */
import type { PersonaSession } from '../../app/session.js';

export const stepAndLand = async (session: PersonaSession, ticks = 1): Promise<void> => {
  for (let t = 0; t < ticks; t++) {
    session.step();
    const rings = [...session.world.resources.frameRings.values()];
    // A loaded machine may take a while to run the worker; never let a slow fill look like a skipped one.
    for (let i = 0; i < 2000 && rings.some((r) => r.state.includes('filling')); i++) await new Promise((r) => setTimeout(r, 1));
  }
};
