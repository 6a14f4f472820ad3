/** The one place that loads @roamhq/wrtc (libwebrtc for Node: peer connections and a VP8/VP9/AV1 encoder). */
import { createRequire } from 'node:module';

export interface I420Frame {
  width: number;
  height: number;
  data: Uint8Array;
}

export interface RTCVideoSource {
  createTrack(): MediaStreamTrack;
  onFrame(frame: I420Frame): void;
}

interface Wrtc {
  RTCPeerConnection: typeof RTCPeerConnection;
  nonstandard: { RTCVideoSource: new () => RTCVideoSource };
}

export const wrtc = createRequire(import.meta.url)('@roamhq/wrtc') as Wrtc;
