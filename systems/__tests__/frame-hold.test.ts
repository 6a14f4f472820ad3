/**
 * A sink that holds a published frame (the WebRTC feed converting it on a worker thread) reads it
 * intact: the engine fills other buffers meanwhile and takes the held one back only on release.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { PersonaSession } from '../../app/session.js';
import { SimulatedClock } from '../../engine/clock.js';
import type { PublishedFrame } from '../resources.js';
import { stepAndLand } from './step-and-land.js';

let session: PersonaSession | null = null;

afterEach(() => {
  session?.stop();
  session = null;
});

/** Steps the session `ticks` times, letting each native fill land before the next tick. */
const run = stepAndLand;

describe('holding a published frame', () => {
  it('keeps its pixels intact while the character moves; the buffer returns to the ring on release', async () => {
    session = new PersonaSession({ clock: new SimulatedClock(), width: 128, height: 128 });
    const frames: PublishedFrame[] = [];
    let release: (() => void) | null = null;
    let holdNext = false;
    session.onFrame((frame) => {
      frames.push(frame);
      if (holdNext) {
        holdNext = false;
        release = frame.hold(); // as the WebRTC feed does while its worker converts the frame
      }
    });
    await run(session, 5);
    session.chat('wave at the camera');
    await run(session, 3);
    holdNext = true;
    await run(session, 1);
    const held = frames[frames.length - 1]!;
    expect(release).not.toBeNull();
    const pixels = held.rgba.slice();
    const published = frames.length;
    await run(session, 30); // the arm swings: every other buffer is refilled many times
    expect(frames.length).toBeGreaterThan(published + 20);
    const later = frames.slice(published);
    expect(later.some((f) => f.rgba !== held.rgba && Buffer.compare(f.rgba, pixels) !== 0)).toBe(true); // frames did change
    expect(later.every((f) => f.rgba !== held.rgba)).toBe(true); // never published from the held buffer
    expect(Buffer.compare(held.rgba, pixels)).toBe(0); // and never written into
    const ring = session.world.resources.frameRings.get(session.eid)!;
    const index = ring.buffers.indexOf(held.rgba);
    expect(ring.state[index]).toBe('held');
    release!();
    expect(ring.state[index]).toBe('free'); // back in the ring for the next fill
    release!(); // a second call changes nothing
    expect(ring.holds[index]).toBe(0);
  });

  it('refuses a hold after the callback, once the frame may have been replaced', async () => {
    session = new PersonaSession({ clock: new SimulatedClock(), width: 128, height: 128 });
    const frames: PublishedFrame[] = [];
    session.onFrame((frame) => frames.push(frame));
    await run(session, 8);
    expect(() => frames[0]!.hold()).toThrow(/hold\(\) must be called during the frame callback/);
  });
});
