/**
 * The churn's viewers, in a process of their own so their memory and CPU are not counted as the
 * server's: `tsx bench/churn-clients.ts URL ROUNDS VIEWERS` prints one JSON line per round.
 */
import { wrtc } from '../app/webrtc/wrtc.js';

const [url, rounds, viewers] = [process.argv[2]!, Number(process.argv[3]), Number(process.argv[4])];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const viewOnce = async (): Promise<boolean> => {
  const pc = new wrtc.RTCPeerConnection({ iceServers: [] });
  try {
    pc.addTransceiver('video', { direction: 'recvonly' });
    await pc.setLocalDescription(await pc.createOffer());
    const response = await fetch(`${url}/whep`, { method: 'POST', headers: { 'content-type': 'application/sdp' }, body: pc.localDescription!.sdp });
    if (response.status !== 201) throw new Error(`WHEP answered ${response.status}: ${await response.text()}`);
    const location = response.headers.get('location')!;
    await pc.setRemoteDescription({ type: 'answer', sdp: await response.text() });
    const deadline = Date.now() + 5000;
    while (pc.connectionState !== 'connected' && Date.now() < deadline) await sleep(10);
    const connected = pc.connectionState === 'connected';
    await fetch(`${url}${location}`, { method: 'DELETE' });
    return connected;
  } finally {
    pc.close();
  }
};

for (let round = 0; round < rounds; round++) {
  const results = await Promise.all(Array.from({ length: viewers }, viewOnce));
  console.log(JSON.stringify({ round: round + 1, connected: results.filter(Boolean).length }));
}
// libwebrtc's threads can crash while tearing down at exit; we are done, so leave without running it.
process.kill(process.pid, 'SIGKILL');
