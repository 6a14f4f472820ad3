/**
 * Frame phase: hands each persona's conditioning to its native frame source, into a free buffer
 * of its ring. The fill runs on a worker thread; when it lands (between ticks, usually well before
 * the next) it is presented and published to the sinks at once. No free buffer means the source
 * is behind: skip, never wait.
 */
import { query } from 'bitecs';
import { publishPresented, retireBuffer, type FrameRing, type PersonaWorld } from '../resources.js';
import { packConditioning } from './pack-conditioning.js';

const settle = (ring: FrameRing, index: number) => {
  const newer = ring.presented < 0 || ring.seq[index]! > ring.seq[ring.presented]!;
  if (!newer) {
    ring.state[index] = 'free';
    return;
  }
  if (ring.presented >= 0) retireBuffer(ring, ring.presented);
  ring.state[index] = 'ready';
  ring.presented = index;
};

export const submitFrames = (world: PersonaWorld): void => {
  const rings = world.resources.frameRings;
  const { FrameSlot, Pose } = world.components;
  for (const eid of query(world, [FrameSlot, Pose])) {
    const ring = rings.get(FrameSlot.ring[eid]!);
    if (!ring) continue;
    const index = ring.state.indexOf('free');
    if (index < 0) {
      ring.skipped++;
      continue;
    }
    ring.state[index] = 'filling';
    ring.seq[index] = ring.nextSeq++;
    ring.submittedAt[index] = world.time.now;
    packConditioning(world.components, eid, world.time.now, ring.conditioning[index]!);
    const submitted = performance.now();
    ring.source.fill(ring.conditioning[index]!, ring.buffers[index]!).then(
      (result) => {
        world.profiler.recordFill({ submitted, settled: performance.now(), fillMs: result.fillMs, queueMs: result.queueMs });
        settle(ring, index);
        publishPresented(world, eid, ring);
      },
      (error: Error) => {
        ring.state[index] = 'free';
        ring.lastError = error.message;
        console.error(`frame fill failed for entity ${eid}: ${error.message}`);
      },
    );
  }
};
