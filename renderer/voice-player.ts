/**
 * Plays her voice in the page (Web Audio): each spoken clause arrives as 16-bit PCM with the delay
 * after which it is to be heard — the server timed the mouth on the frames to the same moment — and
 * is scheduled on the AudioContext clock. `audio.stop` silences what plays and drops what waits.
 * Browsers start audio only after a user gesture: until then the sound button says "Sound off"
 * and a click (or the first chat line sent) turns it on.
 */
export class VoicePlayer {
  private context: AudioContext | null = null;
  private readonly playing = new Set<AudioBufferSourceNode>();
  private enabled = false;
  private reasonUnavailable: string | null = null;
  /** Everything played passes through it on the way out: what the speakers get, measurable. */
  private analyser: AnalyserNode | null = null;

  constructor(private readonly button: HTMLButtonElement) {
    button.addEventListener('click', () => (this.enabled ? this.mute() : this.unmute()));
    this.render();
  }

  /** Turns sound on (call from a user gesture: a click or a key press). */
  unmute(): void {
    if (this.reasonUnavailable) return;
    if (!this.context) {
      this.context = new AudioContext();
      this.analyser = this.context.createAnalyser();
      this.analyser.fftSize = 2048;
      this.analyser.connect(this.context.destination);
    }
    void this.context.resume();
    this.enabled = true;
    this.render();
  }

  mute(): void {
    this.enabled = false;
    this.stop();
    this.render();
  }

  /** There is no voice on the server: say why on the button. */
  unavailable(reason: string): void {
    this.reasonUnavailable = reason;
    this.enabled = false;
    this.render();
  }

  play(pcmBytes: Uint8Array, sampleRate: number, startsInMs: number): void {
    if (!this.enabled || !this.context) return;
    const bytes = new Uint8Array(pcmBytes); // a copy, aligned for 16-bit reads
    const samples = new Int16Array(bytes.buffer, 0, bytes.length >> 1);
    const buffer = this.context.createBuffer(1, samples.length, sampleRate);
    const channel = buffer.getChannelData(0);
    for (let i = 0; i < samples.length; i++) channel[i] = samples[i]! / 32768;
    const source = this.context.createBufferSource();
    source.buffer = buffer;
    source.connect(this.analyser!);
    source.onended = () => this.playing.delete(source);
    this.playing.add(source);
    // The message left the server `startsInMs` before the sound is due; its trip here is ~0 on a LAN.
    source.start(this.context.currentTime + Math.max(0, startsInMs) / 1000);
  }

  /** RMS of what is being played right now (0 when silent). */
  outputLevel(): number {
    if (!this.analyser) return 0;
    const data = new Float32Array(this.analyser.fftSize);
    this.analyser.getFloatTimeDomainData(data);
    return Math.sqrt(data.reduce((a, v) => a + v * v, 0) / data.length);
  }

  /** The speech was cut: silence now. */
  stop(): void {
    for (const source of this.playing) source.stop();
    this.playing.clear();
  }

  private render(): void {
    this.button.disabled = this.reasonUnavailable !== null;
    this.button.textContent = this.reasonUnavailable ? 'No voice' : this.enabled ? 'Sound on' : 'Sound off';
    this.button.title = this.reasonUnavailable ?? 'Hear her voice';
    this.button.setAttribute('aria-pressed', String(this.enabled));
  }
}
