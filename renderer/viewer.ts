/**
 * The WebRTC viewer: pulls the persona's stream (video, and the voice as an Opus track of the same
 * stream) over WHEP and plays it full-window, with a latency readout (network round trip and
 * jitter-buffer delay from the receiver's stats). /obs is the same page without the readout, for
 * an OBS browser source. ?session=NAME picks a session; ?token=T sends a bearer token.
 *
 * Sound: browsers let a page play sound only after a click, so /viewer starts muted with a
 * "sound on" button. /obs starts with sound (OBS's browser source lets pages play it; its audio
 * goes to the OBS mixer); where a browser refuses, it falls back to muted with the button.
 * ?sound=1 or ?sound=0 overrides either.
 */
const params = new URLSearchParams(location.search);
const readout = document.getElementById('readout')!;
const video = document.getElementById('video') as HTMLVideoElement;
const soundButton = document.getElementById('sound') as HTMLButtonElement;
const bare = location.pathname === '/obs' || params.has('bare');
if (bare) document.body.classList.add('bare');
const wantSound = params.has('sound') ? params.get('sound') !== '0' : location.pathname === '/obs';

const endpoint = `/whep${params.get('session') ? `/${encodeURIComponent(params.get('session')!)}` : ''}`;
const token = params.get('token');

/** The button says what a click does; it shows once the stream has a voice, and in bare mode only while sound is blocked. */
const showSound = () => {
  const hasAudio = video.srcObject instanceof MediaStream && video.srcObject.getAudioTracks().length > 0;
  soundButton.textContent = video.muted ? '🔈 sound on' : '🔇 sound off';
  soundButton.setAttribute('aria-pressed', String(!video.muted));
  soundButton.hidden = !hasAudio || (bare && !video.muted);
};

soundButton.addEventListener('click', () => {
  video.muted = !video.muted;
  void video.play().catch(() => undefined);
  showSound();
});
video.addEventListener('volumechange', showSound);

/** Plays with sound where allowed (wantSound and the browser agrees), muted otherwise. */
const play = () => {
  if (!wantSound || !video.muted) return void video.play().catch(() => undefined);
  video.muted = false;
  video.play().catch(() => {
    // Autoplay with sound refused (no click yet): play muted, and let a click turn it on.
    video.muted = true;
    void video.play().catch(() => undefined);
    showSound();
  });
};

const connect = async () => {
  const pc = new RTCPeerConnection();
  pc.addTransceiver('video', { direction: 'recvonly' });
  pc.addTransceiver('audio', { direction: 'recvonly' });
  pc.ontrack = (event) => {
    // Video and voice arrive as tracks of one stream (the browser keeps them in sync); a server
    // that sends them without one gets them gathered into one here.
    const current = video.srcObject instanceof MediaStream ? video.srcObject : null;
    const stream = event.streams[0] ?? current ?? new MediaStream();
    if (!stream.getTracks().includes(event.track)) stream.addTrack(event.track);
    if (video.srcObject !== stream) {
      video.srcObject = stream;
      play();
    }
    showSound();
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
  if (resource && params.get('pace') !== '0') paceToDisplay(resource);
  setInterval(async () => {
    const stats = await pc.getStats();
    let line = `state ${pc.connectionState}`;
    stats.forEach((s) => {
      if (s.type === 'inbound-rtp' && s.kind === 'video') {
        const jitterMs = s.jitterBufferEmittedCount ? (s.jitterBufferDelay / s.jitterBufferEmittedCount) * 1000 : 0;
        line += `\nfps ${s.framesPerSecond ?? 0}  decoded ${s.framesDecoded}  lost ${s.packetsLost}\njitter buffer ${jitterMs.toFixed(1)} ms`;
      }
      if (s.type === 'inbound-rtp' && s.kind === 'audio') {
        const jitterMs = s.jitterBufferEmittedCount ? (s.jitterBufferDelay / s.jitterBufferEmittedCount) * 1000 : 0;
        line += `\naudio jitter buffer ${jitterMs.toFixed(1)} ms  lost ${s.packetsLost}${video.muted ? '  (muted)' : ''}`;
      }
      if (s.type === 'candidate-pair' && s.state === 'succeeded' && s.currentRoundTripTime !== undefined) {
        line += `\nround trip ${(s.currentRoundTripTime * 1000).toFixed(1)} ms`;
      }
    });
    readout.textContent = line + pacingLine;
  }, 1000);
};

/** Frames per display report (about a second at 30 fps). */
const REPORT_EVERY = 30;
let pacingLine = '';

/**
 * Display pacing (?pace=0 turns it off): each frame's slack here, from the moment it was handed to
 * the compositor to the next display refresh, goes to the server about once a second with
 * this display's refresh interval. The first viewer to report gets the server's ticks moved so
 * that frames arrive just before a refresh instead of waiting up to a whole one (docs/latency.md).
 */
const paceToDisplay = (resource: string) => {
  let interval = 0;
  const measureInterval = () => {
    const times: number[] = [];
    const onFrame = (t: number) => {
      times.push(t);
      if (times.length < 31) return void requestAnimationFrame(onFrame);
      const diffs = times.slice(1).map((time, i) => time - times[i]!);
      const median = [...diffs].sort((a, b) => a - b)[diffs.length >> 1]!;
      const steady = diffs.filter((d) => Math.abs(d - median) < median / 4); // not the frames the page missed
      interval = steady.reduce((a, d) => a + d, 0) / steady.length;
    };
    requestAnimationFrame(onFrame);
  };
  measureInterval();
  setInterval(measureInterval, 30_000);
  const slack: number[] = [];
  let sending = false;
  const onFrame = (now: number, meta: VideoFrameCallbackMetadata) => {
    // `now` is the frame time of the rendering step that shows the frame; a frame handed over after
    // that time (as Chromium often does) is still drawn at the end of the step's interval. So the
    // slack is the time from hand-off to the next refresh after it, on the grid of frame times.
    if (interval > 0) slack.push((((now - meta.presentationTime) % interval) + interval) % interval);
    if (slack.length >= REPORT_EVERY && !sending) {
      sending = true;
      const body = JSON.stringify({ intervalMs: interval, slackMs: slack.splice(0) });
      fetch(`${resource}/display`, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body })
        .then(async (response) => {
          const answer = (await response.json()) as { paced?: boolean; shiftMs?: number; note?: string; error?: string };
          const log = ((window as unknown as { pacing: unknown[] }).pacing ??= []);
          if (log.length < 600) log.push(answer); // what the server did, for the bench and the curious
          pacingLine = answer.paced ? `\npaced to this display (${(1000 / interval).toFixed(0)} Hz)${answer.shiftMs ? `: moved ${answer.shiftMs} ms` : ''}` : '';
        })
        .catch(() => undefined)
        .finally(() => (sending = false));
    }
    video.requestVideoFrameCallback(onFrame);
  };
  video.requestVideoFrameCallback(onFrame);
};

/**
 * Bench mode (?g2g=1): read the send-time stamp from each decoded frame (24 blocks of 16 px across
 * the top left, see app/webrtc/time-stamp.ts) and record display time − stamp, in ms, in `g2g` (and each frame's stamp and display time in `g2gFrames`);
 * split into stamp → last packet received (encode, pacing, network) in `g2gToReceive` and last
 * packet received → expected display (jitter buffer, decode, the browser's compositor) in
 * `g2gToDisplay`; and expected display − presentation time (when the frame was handed to the
 * compositor) in `g2gPresentToDisplay`: negative means the expected display time is stale.
 */
const measureGlassToGlass = () => {
  /** `g2gFrames`: [stamp (low 24 bits of the send time, ms), expected display wall time, ms] per decoded frame. */
  const samples = { g2g: [] as number[], g2gToReceive: [] as number[], g2gToDisplay: [] as number[], g2gFrames: [] as [number, number][], g2gPresentToDisplay: [] as number[] };
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
      samples.g2gPresentToDisplay.push(meta.expectedDisplayTime - meta.presentationTime);
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

/** Where bench/av-skew.ts paints its marker: x from the right edge, px. */
const MARKER = { x: -64, y: 16, size: 48 } as const;

/**
 * Bench mode (?avskew=1, see bench/av-skew.ts): audio against video at this viewer. The bench
 * sends a click (a 10 ms tone burst after silence) and, at the same engine moment, a white block
 * in the video's top-right corner. Each block's first frame: its expected display wall time goes
 * into `avVideo`. Each click's onset in the received audio (an AnalyserNode on the received
 * stream, read every few ms; the onset located to the sample in its window and placed on the
 * context's output clock with getOutputTimestamp()): the wall time it is played out goes into
 * `avAudio`. Web Audio needs a click on the page first: the sound button starts it.
 */
const measureAvSkew = () => {
  const samples = { avVideo: [] as number[], avAudio: [] as number[] };
  Object.assign(window, samples);
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = 16;
  const ctx2d = canvas.getContext('2d', { willReadFrequently: true })!;
  let markerOn = false;
  const onFrame = (_now: number, meta: VideoFrameCallbackMetadata) => {
    const centre = MARKER.size / 2 - 8;
    ctx2d.drawImage(video, video.videoWidth + MARKER.x + centre, MARKER.y + centre, 16, 16, 0, 0, 16, 16);
    const { data } = ctx2d.getImageData(0, 0, 16, 16);
    let sum = 0;
    for (let i = 0; i < data.length; i += 4) sum += data[i]! + data[i + 1]! + data[i + 2]!;
    const on = sum / (data.length / 4) / 3 > 200;
    if (on && !markerOn) samples.avVideo.push(performance.timeOrigin + meta.expectedDisplayTime);
    markerOn = on;
    video.requestVideoFrameCallback(onFrame);
  };
  video.requestVideoFrameCallback(onFrame);

  let audio: AudioContext | null = null;
  const startAudio = () => {
    if (audio || !(video.srcObject instanceof MediaStream) || video.srcObject.getAudioTracks().length === 0) return;
    const context = (audio = new AudioContext({ latencyHint: 'interactive' }));
    void context.resume();
    const analyser = context.createAnalyser();
    analyser.fftSize = 4096;
    context.createMediaStreamSource(video.srcObject).connect(analyser);
    const buffer = new Float32Array(analyser.fftSize);
    const QUIET = 240; // samples of quiet (5 ms) before an onset
    let lastOnset = -Infinity;
    setInterval(() => {
      const before = context.currentTime;
      analyser.getFloatTimeDomainData(buffer);
      const end = context.currentTime;
      if (end !== before || context.state !== 'running') return; // the audio thread moved on meanwhile: read again next time
      const rate = context.sampleRate;
      for (let i = QUIET + 32; i < buffer.length; i++) {
        if (Math.abs(buffer[i]!) < 0.3) continue;
        let onset = i; // back to where the burst's first wave rises out of the quiet
        while (onset > i - 32 && Math.abs(buffer[onset - 1]!) >= 0.1) onset--;
        // Quiet before it; Opus leaves a little pre-echo (under 0.1) in the last few ms.
        let quiet = true;
        for (let j = onset - QUIET; j < onset - 16 && quiet; j++) quiet = Math.abs(buffer[j]!) < 0.15;
        const at = end - (buffer.length - onset) / rate; // context time of the onset sample
        if (quiet && at - lastOnset > 0.2) {
          lastOnset = at;
          const out = context.getOutputTimestamp();
          samples.avAudio.push(performance.timeOrigin + out.performanceTime! + (at - out.contextTime!) * 1000);
        }
        break;
      }
    }, 4);
  };
  soundButton.addEventListener('click', startAudio);
};
if (params.has('avskew')) measureAvSkew();

connect().catch((error: Error) => {
  readout.textContent = `could not connect: ${error.message}`;
  console.error(error);
});
