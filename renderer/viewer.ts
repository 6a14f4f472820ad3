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

/**
 * Bench mode (?g2g=1): read the send-time stamp from each decoded frame (24 blocks of 16 px across
 * the top left, see app/webrtc/time-stamp.ts) and record display time − stamp, in ms, in `g2g` (and each frame's stamp and display time in `g2gFrames`);
 * split into stamp → last packet received (encode, pacing, network) in `g2gToReceive` and last
 * packet received → expected display (jitter buffer, decode, the browser's compositor) in
 * `g2gToDisplay`.
 */
const measureGlassToGlass = () => {
  /** `g2gFrames`: [stamp (low 24 bits of the send time, ms), expected display wall time, ms] per decoded frame. */
  const samples = { g2g: [] as number[], g2gToReceive: [] as number[], g2gToDisplay: [] as number[], g2gFrames: [] as [number, number][] };
  Object.assign(window, samples);
  const canvas = document.createElement('canvas');
  const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
  const onFrame = (_now: number, meta: VideoFrameCallbackMetadata) => {
    canvas.width = 24 * 16;
    canvas.height = 16;
    ctx.drawImage(video, 0, 0, canvas.width, 16, 0, 0, canvas.width, 16);
    const { data } = ctx.getImageData(0, 0, canvas.width, 16);
    let value = 0;
    for (let bit = 0; bit < 24; bit++) {
      const i = (8 * canvas.width + bit * 16 + 8) * 4; // the block's centre
      value = value * 2 + (data[i]! + data[i + 1]! + data[i + 2]! > 384 ? 1 : 0);
    }
    const display = performance.timeOrigin + meta.expectedDisplayTime;
    // The stamp keeps the low 24 bits of the send time (ms): subtract modulo 2^24.
    const latency = (((Math.floor(display) & 0xffffff) - value + 0x1000000) % 0x1000000) + (display - Math.floor(display));
    if (latency >= 0 && latency < 5000) {
      samples.g2g.push(latency);
      if (samples.g2gFrames.length < 20_000) samples.g2gFrames.push([value, display]);
      if (meta.receiveTime !== undefined) {
        const toDisplay = meta.expectedDisplayTime - meta.receiveTime;
        samples.g2gToDisplay.push(toDisplay);
        samples.g2gToReceive.push(latency - toDisplay);
      }
    }
    video.requestVideoFrameCallback(onFrame);
  };
  video.requestVideoFrameCallback(onFrame);
};
if (params.has('g2g')) measureGlassToGlass();

connect().catch((error: Error) => {
  readout.textContent = `could not connect: ${error.message}`;
  console.error(error);
});
