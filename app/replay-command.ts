/**
 * `persona replay FILE --out clip.webm`: renders a recorded session (`persona serve --record FILE`,
 * or POST /api/record) to a video on the simulated clock, faster than real time, with a progress bar.
 */
import { parseArgs } from 'node:util';
import { ConfigError } from './persona-commands.js';
import { CLIP_ENCODERS, openClipWriter, type ClipEncoder } from './clip-writer.js';
import { loadRecording, replayRecording } from './replay.js';

export const REPLAY_HELP = `persona replay FILE --out clip.webm — render a recorded session to a video, faster than real time

  --out FILE         the clip (default clip.webm): .webm is VP9, .mp4/.mov/.mkv H.264, anything else ffmpeg's choice
  --size N           frame width and height, an even number from 64 to 2048 (default: the recording's)
  --fps 30|60        tick and frame rate (default: the recording's; inputs keep their time)
  --character ID     render as this character instead of the recorded one
  --background C     colour behind her, #rrggbb (default #262a35), or "transparent" (VP9 with alpha in .webm)
  --encoder E        auto (ffmpeg when on PATH, else PNG frames), ffmpeg, or png (default auto)

The recording is a JSONL file (see README, "Record and replay"): the same file always gives the same
frames. Encoding uses the system's ffmpeg (Debian: apt-get install ffmpeg); without it the frames are
written as PNGs (transparent background) to a folder named after --out (clip.webm → clip-frames/).
A progress bar goes to stderr on a terminal, a line every 10 % otherwise.`;

/** A progress bar on a terminal (redrawn at most 10 times a second), plain lines every 10 % elsewhere. */
const progressReporter = (stream: NodeJS.WriteStream, label: string) => {
  const started = performance.now();
  let lastDraw = 0;
  let lastTenth = 0;
  return {
    update(done: number, total: number, engineMsPerFrame: number) {
      const now = performance.now();
      const speed = (done * engineMsPerFrame) / Math.max(1, now - started);
      if (stream.isTTY) {
        if (now - lastDraw < 100 && done < total) return;
        lastDraw = now;
        const width = 30;
        const filled = Math.round((done / total) * width);
        stream.write(`\r\x1b[K${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(Math.floor((done / total) * 100)).padStart(3)}% ${done}/${total} frames, ${speed.toFixed(1)}× real time`);
        if (done === total) stream.write('\n');
        return;
      }
      const tenth = Math.floor((done / total) * 10);
      if (tenth > lastTenth || done === total) {
        lastTenth = tenth;
        stream.write(`${label}: ${done}/${total} frames (${Math.floor((done / total) * 100)}%), ${speed.toFixed(1)}× real time\n`);
      }
    },
  };
};

export const replay = async (args: string[]): Promise<number> => {
  const { values, positionals } = parseArgs({
    args,
    options: {
      out: { type: 'string' },
      size: { type: 'string' },
      fps: { type: 'string' },
      character: { type: 'string' },
      background: { type: 'string' },
      encoder: { type: 'string' },
    },
    allowPositionals: true,
  });
  const problems: string[] = [];
  if (positionals.length !== 1) problems.push(`give one recording file, e.g. persona replay session.jsonl --out clip.webm (got ${positionals.length})`);
  const size = values.size === undefined ? undefined : Number(values.size);
  if (size !== undefined && !(Number.isInteger(size) && size >= 64 && size <= 2048 && size % 2 === 0)) problems.push(`--size: must be an even integer from 64 to 2048 (got ${JSON.stringify(values.size)})`);
  const fps = values.fps === undefined ? undefined : Number(values.fps);
  if (fps !== undefined && fps !== 30 && fps !== 60) problems.push(`--fps: must be 30 or 60 (got ${JSON.stringify(values.fps)})`);
  const hex = values.background ?? '#262a35';
  if (hex !== 'transparent' && !/^#[0-9a-f]{6}$/i.test(hex)) problems.push(`--background: must be a colour like #262a35 or "transparent" (got ${JSON.stringify(hex)})`);
  const encoder = (values.encoder ?? 'auto') as ClipEncoder;
  if (!CLIP_ENCODERS.includes(encoder)) problems.push(`--encoder: must be one of ${CLIP_ENCODERS.join(', ')} (got ${JSON.stringify(values.encoder)})`);
  if (problems.length) throw new ConfigError(problems);

  const file = positionals[0]!;
  const { recording, character } = await loadRecording(file, { character: values.character, dataDir: process.env.PERSONA_DATA_DIR });
  const width = size ?? recording.header.width;
  const height = size ?? recording.header.height;
  const rate = (fps ?? recording.header.fps) as 30 | 60;
  const out = values.out ?? 'clip.webm';
  const background = hex === 'transparent' ? null : ([1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)) as [number, number, number]);
  const writer = await openClipWriter({ out, width, height, fps: rate, background, encoder });
  if (writer.kind === 'png' && encoder === 'auto') console.error(`persona replay: no ffmpeg on PATH (Debian: apt-get install ffmpeg): writing PNG frames to ${writer.target}/ instead of ${out}`);
  if (!recording.complete) console.error(`persona replay: ${file} has no "end" line (the session stopped without closing it); rendering 2 s past its last input`);
  const progress = progressReporter(process.stderr, 'replay');
  let result;
  try {
    result = await replayRecording(recording, {
      character,
      fps: rate,
      width,
      height,
      onFrame: (rgba) => writer.write(rgba),
      onProgress: (done, total) => progress.update(done, total, 1000 / rate),
    });
    await writer.close();
  } catch (error) {
    writer.abort();
    throw error;
  }
  if (result.source !== recording.header.source) console.error(`persona replay: recorded with the "${recording.header.source}" frame source, which this build does not have; rendered with "${result.source}"`);
  const seconds = result.engineMs / 1000;
  const what = writer.kind === 'png' ? `PNG frames to ${writer.target}/` : `${writer.target} (${writer.codec}, ffmpeg)`;
  console.log(
    `wrote ${what}: ${result.frames} frames, ${seconds.toFixed(1)} s at ${rate} fps, ${width}×${height}, ${character.id}; rendered ${(result.engineMs / result.wallMs).toFixed(1)}× faster than real time`,
  );
  return 0;
};
