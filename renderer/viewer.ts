/**
 * The WebRTC viewer: pulls the persona's stream over WHEP and plays it full-window, with a latency
 * readout (network round trip and jitter-buffer delay from the receiver's stats). /obs is the same
 * page without the readout, for an OBS browser source. ?session=NAME picks a session; ?token=T
 * sends a bearer token.
 */
const params = new URLSearchParams(location.search);
const readout = document.getElementById('readout')!;
const video = document.getElementById('video') as HTMLVideoElement;
if (location.pathname === '/obs' || params.has('bare')) document.body.classList.add('bare');

const endpoint = `/whep${params.get('session') ? `/${encodeURIComponent(params.get('session')!)}` : ''}`;
const token = params.get('token');

const connect = async () => {
  const pc = new RTCPeerConnection();
  pc.addTransceiver('video', { direction: 'recvonly' });
  pc.ontrack = (event) => {
    video.srcObject = event.streams[0] ?? new MediaStream([event.track]);
  };
  await pc.setLocalDescription(await pc.createOffer());
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/sdp', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: pc.localDescription!.sdp,
  });
  if (response.status !== 201) throw new Error(`${endpoint} answered ${response.status}: ${await response.text()}`);
  const resource = response.headers.get('location');
  await pc.setRemoteDescription({ type: 'answer', sdp: await response.text() });
  window.addEventListener('pagehide', () => {
    if (resource) void fetch(resource, { method: 'DELETE', keepalive: true, headers: token ? { authorization: `Bearer ${token}` } : {} });
  });
  (window as unknown as { viewerPc: RTCPeerConnection }).viewerPc = pc;
  setInterval(async () => {
    const stats = await pc.getStats();
    let line = `state ${pc.connectionState}`;
    stats.forEach((s) => {
      if (s.type === 'inbound-rtp' && s.kind === 'video') {
        const jitterMs = s.jitterBufferEmittedCount ? (s.jitterBufferDelay / s.jitterBufferEmittedCount) * 1000 : 0;
        line += `\nfps ${s.framesPerSecond ?? 0}  decoded ${s.framesDecoded}  lost ${s.packetsLost}\njitter buffer ${jitterMs.toFixed(1)} ms`;
      }
      if (s.type === 'candidate-pair' && s.state === 'succeeded' && s.currentRoundTripTime !== undefined) {
        line += `\nround trip ${(s.currentRoundTripTime * 1000).toFixed(1)} ms`;
      }
    });
    readout.textContent = line;
  }, 1000);
};

connect().catch((error: Error) => {
  readout.textContent = `could not connect: ${error.message}`;
  console.error(error);
});
