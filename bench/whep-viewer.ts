/** One WHEP viewer's whole life (libwebrtc in Node): offer, answer, ICE connected, DELETE. */
import { wrtc } from '../app/webrtc/wrtc.js';

/** Resolves once `pc` is connected, or with false when it fails, closes or `timeoutMs` passes. */
const connected = (pc: RTCPeerConnection, timeoutMs: number): Promise<boolean> =>
  new Promise((resolve) => {
    const settle = () => {
      const state = pc.connectionState;
      if (state !== 'connected' && state !== 'failed' && state !== 'closed') return;
      done(state === 'connected');
    };
    const done = (ok: boolean) => {
      clearTimeout(timer);
      pc.removeEventListener('connectionstatechange', settle);
      resolve(ok);
    };
    const timer = setTimeout(() => done(pc.connectionState === 'connected'), timeoutMs);
    pc.addEventListener('connectionstatechange', settle);
    settle();
  });

/** Views the stream at `baseUrl` once; resolves whether ICE connected within `connectTimeoutMs`. */
export const viewOnce = async (baseUrl: string, connectTimeoutMs = 5000): Promise<boolean> => {
  const pc = new wrtc.RTCPeerConnection({ iceServers: [] });
  let location: string | null = null;
  try {
    pc.addTransceiver('video', { direction: 'recvonly' });
    await pc.setLocalDescription(await pc.createOffer());
    const response = await fetch(`${baseUrl}/whep`, { method: 'POST', headers: { 'content-type': 'application/sdp' }, body: pc.localDescription!.sdp });
    const body = await response.text(); // always read: an unread body holds its socket
    if (response.status !== 201) throw new Error(`WHEP answered ${response.status}: ${body}`);
    location = response.headers.get('location')!;
    await pc.setRemoteDescription({ type: 'answer', sdp: body });
    return await connected(pc, connectTimeoutMs);
  } finally {
    // Leave even when something above threw, so the server's slot is not held until it times out.
    if (location) await fetch(`${baseUrl}${location}`, { method: 'DELETE' }).then((r) => r.arrayBuffer(), () => undefined);
    pc.close(); // also ends the remote track
  }
};
