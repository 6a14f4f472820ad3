/**
 * `npm run bench`: measures the engine on this machine and writes one JSON object. Every
 * distribution is { p50, p95, p99, n } in ms. It asserts nothing; a feature not built yet is null.
 */
import os from 'node:os';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { CONDITIONING } from '../protocol/conditioning.js';
import { jointIndex } from '../protocol/skeleton.js';
import { distribution, type Distribution } from '../engine/profiler.js';
import { getCharacter } from '../characters/index.js';
import { PuppetSource, createConditioning } from '../native/index.js';
import { PersonaSession } from '../app/session.js';
import { armMovedAfter } from './arm-moved.js';
import { measureProfilerCostUs } from './profiler-overhead.js';
import { measureSessionsPerMachine } from './sessions-per-machine.js';
import { measureGlassToGlass, type GlassToGlass } from './glass-to-glass.js';
import { measureChurn } from './webrtc-churn.js';
import { measureInterpret } from './interpret.js';
import { measureSpeculativeLatency } from './speculative-latency.js';
import { createSkiaDrawer } from './skia-display-list.js';
import { measureHonestClientUnderAbuse } from './abusive-clients.js';
import { measureChatToViewer } from './chat-to-viewer.js';
import { measureTtsFirstAudio } from './tts.js';
import { measureLipSync } from './lipsync.js';
import { measureAvSkew } from './av-skew.js';
import { measureReplaySpeed } from './replay-speed.js';
import { measureDiffusion } from './diffusion.js';

export interface BenchOptions {
  out: string;
  quick: boolean;
}

const progress = (message: string) => process.stderr.write(`bench: ${message}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Frame `i` of the benchmark's waving, smiling sequence. */
const benchPose = (i: number, conditioning: Float32Array): Float32Array => {
  const shoulderRoll = CONDITIONING.jointOffset + jointIndex('right_shoulder') * 3 + 2;
  conditioning[shoulderRoll] = 0.2 + 2.4 * Math.abs(Math.sin(i / 15));
  conditioning[CONDITIONING.expressionOffset] = (i % 30) / 30;
  return conditioning;
};

/** Native fill time (measured in C++ on the worker) for a waving pose sequence. */
const measureFill = async (size: number, samples: number): Promise<Distribution | null> => {
  const source = new PuppetSource(size, size);
  source.configure(getCharacter('aria').look);
  const buffer = new Uint8Array(size * size * 4);
  const conditioning = createConditioning();
  const times: number[] = [];
  for (let i = 0; i < samples + 10; i++) {
    const { fillMs } = await source.fill(benchPose(i, conditioning), buffer);
    if (i >= 10) times.push(fillMs); // the first fills warm caches and thread-local scratch
  }
  source.dispose();
  return distribution(times);
};

/**
 * Skia (@napi-rs/canvas) drawing the same display lists at 512², anti-aliased, pixels read back;
 * on this thread, one core, as our fill runs on one worker thread.
 */
const measureSkia = (size: number, samples: number): Distribution | null => {
  const source = new PuppetSource(size, size);
  source.configure(getCharacter('aria').look);
  const conditioning = createConditioning();
  const lists = Array.from({ length: samples + 10 }, (_, i) => source.displayList(benchPose(i, conditioning)));
  source.dispose();
  const skia = createSkiaDrawer(size, size);
  const times: number[] = [];
  lists.forEach((list, i) => {
    const t0 = performance.now();
    skia.draw(list);
    if (i >= 10) times.push(performance.now() - t0);
  });
  return distribution(times);
};

/** Tick time of one live session at 30 Hz under a stream of chat directives. */
const measureTicks = async (seconds: number): Promise<{ tick: Distribution | null; dropped: number; skipped: number }> => {
  const session = new PersonaSession();
  session.start();
  const lines = ['wave', 'look happy', 'nod twice', 'sit down', 'look sad', 'stand up', 'look surprised'];
  const end = performance.now() + seconds * 1000;
  for (let i = 0; performance.now() < end; i++) {
    session.chat(lines[i % lines.length]!);
    await sleep(700);
  }
  const tick = distribution(session.world.profiler.ticks.values());
  const dropped = session.droppedTicks;
  session.stop();
  return { tick, dropped, skipped: 0 };
};

/** Chat line received → first finished frame whose raised-arm joint moved. */
const measureActionLatency = async (samples: number, fps: 30 | 60 = 30): Promise<Distribution | null> => {
  const session = new PersonaSession({ fps });
  session.start();
  await sleep(300);
  const latencies: number[] = [];
  for (let i = 0; i < samples; i++) {
    await sleep(Math.random() * 40); // land at random points within a tick
    const finished = new Promise<void>((resolve) => {
      const off = session.onEvent((e) => {
        if (e.type === 'action.finished' && e.action === 'wave') {
          off();
          resolve();
        }
      });
    });
    const moved = armMovedAfter(session);
    // The frame shown when the line arrives is the baseline; the first frame that differs ends the wait.
    session.chat('wave');
    latencies.push(await moved);
    await finished;
    await sleep(400);
  }
  session.stop();
  return distribution(latencies);
};

export const runBench = async ({ out, quick }: BenchOptions): Promise<void> => {
  const started = performance.now();
  progress(`native fill 512² (${quick ? 60 : 300} frames)…`);
  const fill512 = await measureFill(512, quick ? 60 : 300);
  progress(`native fill 1024² (${quick ? 30 : 150} frames)…`);
  const fill1024 = await measureFill(1024, quick ? 30 : 150);
  progress(`Skia drawing the same display list at 512² (${quick ? 60 : 300} frames)…`);
  const skia512 = measureSkia(512, quick ? 60 : 300);
  progress('tick loop under directives…');
  const ticks = await measureTicks(quick ? 4 : 12);
  progress(`action latency (${quick ? 4 : 30} waves)…`);
  const actionLatency = await measureActionLatency(quick ? 4 : 30);
  progress(`action latency at 60 fps (${quick ? 4 : 30} waves)…`);
  const actionLatency60 = await measureActionLatency(quick ? 4 : 30, 60);
  progress('embedded interpreter…');
  const interpret = measureInterpret(quick ? 100 : 1000);
  progress(`action latency with a 2 s LLM, speculative start (${quick ? 3 : 8} waves)…`);
  const speculativeLatency = await measureSpeculativeLatency(quick ? 3 : 8);
  progress('profiler overhead (profiler on vs off, alternating blocks)…');
  const profilerCostUs = measureProfilerCostUs(quick ? 6 : 20);
  // Its cost against the tick it measures: a live session's median tick.
  const profilerOverhead =
    profilerCostUs !== null && ticks.tick ? Math.round((Math.max(0, profilerCostUs) / (ticks.tick.p50 * 1000)) * 10000) / 100 : null;
  progress('sessions per machine (stepping the count up)…');
  const scale = await measureSessionsPerMachine(quick ? 2 : 5, progress);
  progress('WebRTC glass-to-glass in Chromium: the engine, a bare sender, the bare sender on libwebrtc defaults…');
  let g2g: GlassToGlass = {
    engine: null,
    engineDrawn: null,
    engineUnpaced: null,
    engineUnpacedDrawn: null,
    staleShare: null,
    engineSplit: null,
    baseline: null,
    baselineDrawn: null,
    baselineStaleShare: null,
    ratio: null,
    drawnRatio: null,
    baselineGradient: null,
    ratioGradient: null,
    baselineDefaults: null,
    baselineDefaultsDrawn: null,
    fieldTrials: '',
    launches: { engine: [], unpaced: [], baseline: [] },
  };
  try {
    g2g = await measureGlassToGlass(quick ? 4 : 12);
  } catch (error) {
    progress(`  WebRTC latency not measured: ${(error as Error).message}`);
  }
  progress(`chat line on the page → first frame showing it at a Chromium WHEP viewer (${quick ? 3 : 12} waves)…`);
  let chatToViewer: Distribution | null = null;
  try {
    chatToViewer = await measureChatToViewer(quick ? 3 : 12);
  } catch (error) {
    progress(`  chat_to_viewer_ms not measured: ${(error as Error).message}`);
  }
  progress(`WebRTC churn: 10 viewers × ${quick ? 10 : 100} rounds…`);
  let churn: Awaited<ReturnType<typeof measureChurn>> | { error: string } | null = null;
  try {
    churn = await measureChurn(quick ? 10 : 100, 10, progress);
  } catch (error) {
    progress(`  WebRTC churn not measured: ${(error as Error).message}`);
    churn = { error: (error as Error).message };
  }
  progress('an honest WebSocket client beside one that never reads and one that spoofs acks…');
  const abuse = await measureHonestClientUnderAbuse(quick ? 4 : 15, quick ? 8 : 30);
  progress('voice: first audio and lip-sync offsets on published frames…');
  const ttsFirstAudio = await measureTtsFirstAudio(quick ? 50 : 500);
  const lipsync = await measureLipSync(quick ? 1 : 3);
  progress('audio vs video at a Chromium WHEP viewer (clicks and marker frames)…');
  let avSkew: Awaited<ReturnType<typeof measureAvSkew>> | null = null;
  try {
    avSkew = await measureAvSkew(quick ? 8 : 24);
  } catch (error) {
    progress(`  av_skew_ms not measured: ${(error as Error).message}`);
  }
  progress(`replay of a recorded session at 512² (${quick ? 5 : 20} engine seconds)…`);
  const replaySpeed = await measureReplaySpeed(quick ? 5 : 20);
  progress('neural frames: our diffusion pipeline on the tiny generated model set at 512² (ONNX Runtime)…');
  const diffusion = await measureDiffusion(quick ? 10 : 60);
  const cpus = os.cpus();
  const result = {
    tick_ms: ticks.tick,
    puppet_fill_ms_512: fill512,
    puppet_fill_ms_1024: fill1024,
    skia_draw_ms_512: skia512,
    /** Our median fill time over Skia's median on the same display lists at 512² (< 1: we are faster). */
    puppet_vs_skia_ratio: fill512 && skia512 ? Math.round((fill512.p50 / skia512.p50) * 1000) / 1000 : null,
    action_latency_ms: actionLatency,
    action_latency_ms_60: actionLatency60,
    interpret_ms: interpret,
    action_latency_speculative_ms: speculativeLatency,
    webrtc_glass_to_glass_ms: g2g.engine,
    /** The same frames when Chromium's display compositor drew them (CDP screencast; an upper bound, no scan-out): the closest to the glass. */
    webrtc_g2g_drawn_ms: g2g.engineDrawn,
    /** The engine with its viewer not pacing it (?pace=0), rVFC and drawn: what display pacing gains. */
    webrtc_g2g_unpaced_ms: g2g.engineUnpaced,
    webrtc_g2g_unpaced_drawn_ms: g2g.engineUnpacedDrawn,
    /** Share of the engine's rVFC samples whose expected display time precedes their presentation time (stale: the run's rVFC figures read low). */
    webrtc_g2g_stale_share: g2g.staleShare,
    /** Chat line sent from the page → first frame showing the action at a Chromium WHEP viewer (expected display time). */
    chat_to_viewer_ms: chatToViewer,
    /** The bare sender replaying the engine's own recorded frames: the like-for-like baseline. */
    webrtc_baseline_g2g_ms: g2g.baseline,
    webrtc_g2g_ratio: g2g.ratio,
    webrtc_baseline_g2g_drawn_ms: g2g.baselineDrawn,
    webrtc_g2g_drawn_ratio: g2g.drawnRatio,
    webrtc_baseline_g2g_stale_share: g2g.baselineStaleShare,
    /** The bare sender on a moving full-frame gradient (the earlier baseline), and our ratio to it. */
    webrtc_baseline_gradient_g2g_ms: g2g.baselineGradient,
    webrtc_g2g_ratio_gradient: g2g.ratioGradient,
    /** Medians of the engine's latency split at the browser's last received packet. */
    webrtc_g2g_split: g2g.engineSplit,
    /** The bare sender on libwebrtc's defaults (adaptive playout delay), for reference. */
    webrtc_baseline_default_trials_g2g_ms: g2g.baselineDefaults,
    webrtc_baseline_default_trials_g2g_drawn_ms: g2g.baselineDefaultsDrawn,
    webrtc_field_trials: g2g.fieldTrials,
    /** Per browser launch, [rVFC p50, drawn p50] ms: engine paced, unpaced, like-for-like baseline. */
    webrtc_g2g_launch_p50: g2g.launches,
    webrtc_churn: churn,
    /** Reply text available → first audio chunk ready (embedded espeak-ng voice); null where it is missing. */
    tts_first_audio_ms: ttsFirstAudio,
    /** Published frame where the mouth opens − the voiced onset in the audio itself (negative: mouth first), signed; and |offset|. */
    lipsync_offset_ms: lipsync?.signed ?? null,
    lipsync_offset_abs_ms: lipsync?.absolute ?? null,
    /** Audio time − video time of the same moment at a Chromium WHEP viewer (positive: audio late). */
    av_skew_ms: avSkew?.skew ?? null,
    av_skew: avSkew,
    /** Preview fps and reply times of an honest client while two abusive clients press the same session. */
    ws_under_abuse: abuse,
    /** Engine seconds rendered per wall second replaying a recording at 512² (frames dropped: the encoder is not in it). */
    replay_speed_x: replaySpeed.replay_speed_x,
    /** The same writing a VP9 .webm through ffmpeg; null without ffmpeg on PATH. */
    replay_speed_x_webm: replaySpeed.replay_speed_x_webm,
    /** One neural frame of our pipeline at 512² on the tiny generated model set, CPU provider: the pipeline's own cost, not a real model's (bench/diffusion.ts). */
    diffusion_frame_ms_cpu: diffusion.diffusion_frame_ms_cpu,
    diffusion_frame_split_ms: diffusion.diffusion_frame_split_ms,
    /** The execution provider the neural source ran on here (tensorrt → cuda → cpu tried). */
    diffusion_provider: diffusion.diffusion_provider,
    /** A real model set (PERSONA_MODELS_DIR) at 512² on a GPU provider; null here, `diffusion_notes` says why. */
    diffusion_fps_512: diffusion.diffusion_fps_512,
    diffusion_notes: diffusion.diffusion_notes,
    sessions_per_machine: scale.sessions,
    sessions_per_machine_steps: scale.steps,
    rss_mb: Math.round(process.memoryUsage().rss / 1048576),
    profiler_overhead_pct: profilerOverhead,
    profiler_cost_us_per_tick: profilerCostUs,
    dropped_ticks: ticks.dropped,
    machine: { cpu: cpus[0]?.model ?? 'unknown', cores: cpus.length, node: process.version, platform: `${os.platform()} ${os.arch()}` },
    quick,
    seconds: Math.round((performance.now() - started) / 100) / 10,
  };
  await mkdir(path.dirname(path.resolve(out)), { recursive: true });
  await writeFile(out, `${JSON.stringify(result, null, 2)}\n`);
  const row = (name: string, d: Distribution | null) =>
    d ? `${name.padEnd(22)} p50 ${d.p50.toFixed(2).padStart(8)}  p95 ${d.p95.toFixed(2).padStart(8)}  p99 ${d.p99.toFixed(2).padStart(8)}  n ${d.n}` : `${name.padEnd(22)} (not built)`;
  console.log([row('tick_ms', result.tick_ms), row('puppet_fill_ms_512', fill512), row('puppet_fill_ms_1024', fill1024), row('skia_draw_ms_512', skia512), `puppet_vs_skia_ratio   ${result.puppet_vs_skia_ratio}`, row('action_latency_ms', actionLatency)].join('\n'));
  console.log([row('interpret_ms', interpret), row('action_latency_spec_ms', speculativeLatency)].join('\n'));
  console.log([row('webrtc_glass_to_glass_ms', g2g.engine), row('webrtc_baseline_g2g_ms', g2g.baseline), row('webrtc_baseline_defaults', g2g.baselineDefaults)].join('\n'));
  console.log(`${'webrtc_g2g_ratio'.padEnd(22)} ${g2g.ratio}`);
  console.log([row('webrtc_g2g_drawn_ms', g2g.engineDrawn), row('webrtc_baseline_drawn', g2g.baselineDrawn)].join('\n'));
  console.log([row('webrtc_g2g_unpaced_ms', g2g.engineUnpaced), row('webrtc_g2g_unpaced_drawn', g2g.engineUnpacedDrawn)].join('\n'));
  console.log(`${'webrtc_g2g_drawn_ratio'.padEnd(22)} ${g2g.drawnRatio}  (rVFC stale share ${g2g.staleShare}, baseline ${g2g.baselineStaleShare})`);
  console.log(`${'sessions_per_machine'.padEnd(22)} ${scale.sessions}`);
  console.log(`${'replay_speed_x'.padEnd(22)} ${replaySpeed.replay_speed_x} (webm ${replaySpeed.replay_speed_x_webm})`);
  console.log(`${'profiler_overhead_pct'.padEnd(22)} ${profilerOverhead}`);
  console.log(`wrote ${out}`);
};
