/**
 * The engine's frames as one WebRTC video track: each published frame is held (not copied),
 * composed over the background colour and converted to I420 on a native worker thread, released,
 * then handed to the encoder. Video carries no alpha, hence the background. Work happens only
 * while someone watches.
 */
import { composeI420 } from '../../native/index.js';
import type { PersonaSession } from '../session.js';
import { wallClockMs } from './time-stamp.js';
import { wrtc, type RTCVideoSource } from './wrtc.js';

export class VideoFeed {
  readonly track: MediaStreamTrack;
  private readonly source: RTCVideoSource;
  private readonly i420: Uint8Array;
  private converting = false;
  /** Viewers and pushers currently using the track; frames are converted only while > 0. */
  users = 0;
  framesSent = 0;
  framesSkipped = 0;
  /**
   * Called with each frame's I420 just before it goes to the encoder, and the wall-clock time
   * (ms) at which the engine published the frame (the latency bench stamps it into the pixels).
   */
  beforeEncode: ((i420: Uint8Array, width: number, height: number, publishedAtMs: number) => void) | null = null;

  constructor(
    session: Pick<PersonaSession, 'width' | 'height' | 'onFrame'>,
    private readonly background: readonly [number, number, number],
  ) {
    this.source = new wrtc.nonstandard.RTCVideoSource();
    this.track = this.source.createTrack();
    this.i420 = new Uint8Array((session.width * session.height * 3) / 2);
    session.onFrame((frame) => {
      if (this.users === 0) return;
      if (this.converting) {
        this.framesSkipped++; // the encoder side is behind: show the newest frame next time
        return;
      }
      const publishedAtMs = wallClockMs();
      const release = frame.hold(); // the worker reads the engine's buffer; it is not refilled meanwhile
      const failed = (error: Error) => {
        release();
        this.converting = false;
        console.error(`webrtc: frame conversion or hand-off failed: ${error.message}`);
      };
      this.converting = true;
      try {
        composeI420(frame.rgba, frame.width, frame.height, this.background, this.i420)
          .then(() => {
            release();
            this.converting = false;
            this.beforeEncode?.(this.i420, frame.width, frame.height, publishedAtMs);
            this.source.onFrame({ width: frame.width, height: frame.height, data: this.i420 });
            this.framesSent++;
          })
          .catch(failed); // release is idempotent: safe if the encoder hand-off threw after it
      } catch (error) {
        failed(error as Error); // bad arguments are refused before any work starts
      }
    });
  }

  stop(): void {
    this.track.stop();
  }
}
