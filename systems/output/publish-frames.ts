/** Output phase: hands each persona's newest finished frame, once, to the frame sinks (preview, WebRTC). */
import { holdBuffer, type PersonaWorld } from '../resources.js';

export const publishFrames = (world: PersonaWorld): void => {
  const sinks = world.resources.outputs.frame;
  for (const [eid, ring] of world.resources.frameRings) {
    const i = ring.presented;
    if (i < 0 || ring.seq[i]! <= ring.lastPublishedSeq) continue;
    ring.lastPublishedSeq = ring.seq[i]!;
    const frame = {
      eid,
      seq: ring.seq[i]!,
      width: ring.source.width,
      height: ring.source.height,
      rgba: ring.buffers[i]!,
      conditioning: ring.conditioning[i]!,
      submittedAt: ring.submittedAt[i]!,
      hold: () => holdBuffer(ring, i),
    };
    for (const sink of sinks) sink(frame);
  }
};
