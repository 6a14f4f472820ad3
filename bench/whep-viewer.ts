/** One WHEP viewer's whole life (libwebrtc in Node): offer, answer, ICE connected, DELETE. */
import { wrtc } from '../app/webrtc/wrtc.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Views the stream at `baseUrl` once; resolves whether ICE connected within `connectTimeoutMs`. */
export const viewOnce = async (baseUrl: string, connectTimeoutMs = 5000): Promise<boolean> => {
  const pc = new wrtc.RTCPeerConnection({ iceServers: [] });
  try {
    pc.addTransceiver('video', { direction: 'recvonly' });
    await pc.setLocalDescription(await pc.createOffer());
    const response = await fetch(`${baseUrl}/whep`, { method: 'POST', headers: { 'content-type': 'application/sdp' }, body: pc.localDescription!.sdp });
    if (response.status !== 201) throw new Error(`WHEP answered ${response.status}: ${await response.text()}`);
    const location = response.headers.get('location')!;
    await pc.setRemoteDescription({ type: 'answer', sdp: await response.text() });
    const deadline = Date.now() + connectTimeoutMs;
    while (pc.connectionState !== 'connected' && Date.now() < deadline) await sleep(10);
    const connected = pc.connectionState === 'connected';
    await fetch(`${baseUrl}${location}`, { method: 'DELETE' });
    return connected;
  } finally {
    pc.close();
  }
};
