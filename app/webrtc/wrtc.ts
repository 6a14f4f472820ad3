/**
 * The one place that loads @roamhq/wrtc (libwebrtc for Node: peer connections and a VP8/VP9/AV1
 * encoder) and sets libwebrtc's process-wide field trials before any peer connection exists.
 */
import { createRequire } from 'node:module';
import { setWebrtcFieldTrials } from '../../native/index.js';

export interface I420Frame {
  width: number;
  height: number;
  data: Uint8Array;
}

export interface RTCVideoSource {
  createTrack(): MediaStreamTrack;
  onFrame(frame: I420Frame): void;
}

/** 10 ms of 16-bit PCM for an audio track; `samples` must be exactly that long, buffer and all (wrtc checks its byteLength). */
export interface RTCAudioData {
  samples: Int16Array;
  sampleRate: number;
  bitsPerSample?: number;
  channelCount?: number;
  numberOfFrames?: number;
}

export interface RTCAudioSource {
  createTrack(): MediaStreamTrack;
  onData(data: RTCAudioData): void;
}

interface Wrtc {
  RTCPeerConnection: typeof RTCPeerConnection;
  /** Only its id matters to us: tracks added with the same stream play as one (lip sync) at the viewer. */
  MediaStream: new () => MediaStream;
  nonstandard: { RTCVideoSource: new () => RTCVideoSource; RTCAudioSource: new () => RTCAudioSource };
}

export const wrtc = createRequire(import.meta.url)('@roamhq/wrtc') as Wrtc;

/**
 * Our default field trials, both for latency:
 * - every video we send carries the playout-delay RTP header extension with min = max = 0 ms,
 *   which tells the viewer (Chrome, Edge, Firefox, libwebrtc) to show each frame as soon as it is
 *   decoded instead of holding it in an adaptive jitter buffer (~25 ms on a quiet loopback here).
 *   Keep max at 0: with min 0 / max > 0 Chromium queues frames for its low-latency renderer and
 *   they are composited ~18 ms later, although requestVideoFrameCallback reports them sooner
 *   (docs/latency.md);
 * - the pacer sends at 5× the bandwidth estimate instead of 2.5×, so a frame's packets leave in
 *   about half the time (stamp → last packet received: ~11 → ~7.5 ms here), and it may send up to
 *   20 ms worth of them at once (BurstyPacer) instead of one 5 ms slice at a time: a 512² frame
 *   then leaves whole (stamp → last packet received ~7.6 → ~4.3 ms here); big key frames are
 *   still spread out.
 * A character that reacts to what you type wants both; the price is visible judder on a jittery
 * network, where a viewer may prefer libwebrtc's defaults (PERSONA_WEBRTC_FIELD_TRIALS="").
 */
export const LOW_LATENCY_FIELD_TRIALS = 'WebRTC-ForceSendPlayoutDelay/min_ms:0,max_ms:0/WebRTC-Video-Pacing/factor:5/WebRTC-BurstyPacer/burst:20ms/';

/**
 * PERSONA_WEBRTC_FIELD_TRIALS replaces the default field trials for every peer connection in this
 * process (libwebrtc syntax, "Name/value/Name2/value2/"); set it to "" for libwebrtc's defaults.
 */
const requested = process.env.PERSONA_WEBRTC_FIELD_TRIALS ?? LOW_LATENCY_FIELD_TRIALS;

let current = '';

/** Sets the field trials that peer connections created from now on use; returns what libwebrtc holds. */
export const useFieldTrials = (trials: string): string => (current = setWebrtcFieldTrials(trials));

/** The field trials new peer connections get ('' when libwebrtc runs on its defaults). */
export const fieldTrials = (): string => current;

try {
  useFieldTrials(requested);
} catch (error) {
  // Streaming still works on libwebrtc's defaults, only with its adaptive playout delay.
  console.warn(`webrtc: field trials "${requested}" not set (${(error as Error).message}); using libwebrtc's defaults`);
}
