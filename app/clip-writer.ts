/**
 * Where a replay's frames go: a video file encoded by the system's `ffmpeg` (found on PATH at run
 * time, fed raw frames on stdin), or, where there is none, a numbered PNG sequence (alpha kept).
 * Frames for ffmpeg are composed over the background and converted to I420 by the native addon
 * (the same work WebRTC video does), or sent as RGBA with `background: null` for VP9 with alpha.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import { composeI420 } from '../native/index.js';

export const CLIP_ENCODERS = ['auto', 'ffmpeg', 'png'] as const;
export type ClipEncoder = (typeof CLIP_ENCODERS)[number];

export interface ClipOptions {
  out: string;
  width: number;
  height: number;
  fps: number;
  /** The colour behind the persona, or null to keep her transparent background (VP9 with alpha in .webm; PNG frames always keep it). */
  background: readonly [number, number, number] | null;
  encoder: ClipEncoder;
}

export interface ClipWriter {
  readonly kind: 'ffmpeg' | 'png';
  /** The encoder: 'libvpx-vp9', 'libx264', 'ffmpeg default' or 'png'. */
  readonly codec: string;
  /** Where the frames go: the video file, or the PNG folder. */
  readonly target: string;
  /** `rgba` is read before the promise settles, not after. */
  write(rgba: Uint8Array): Promise<void>;
  /** Finishes the file; rejects with ffmpeg's own words if it failed. */
  close(): Promise<void>;
  /** Stops early (an error elsewhere): what was written stays. */
  abort(): void;
}

/** An executable named `name` on PATH, or null. */
export const findOnPath = (name: string, envPath = process.env.PATH ?? ''): string | null => {
  for (const dir of envPath.split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
};

/** ffmpeg's output options for the file's extension: VP9 for .webm, H.264 for .mp4/.mov/.mkv, ffmpeg's choice otherwise. */
const codecArgs = (out: string, alpha: boolean): { args: string[]; codec: string } => {
  const ext = path.extname(out).toLowerCase();
  if (ext === '.webm')
    return {
      codec: 'libvpx-vp9',
      // Realtime speed settings: the replay, not the encoder, should set the pace; quality by constant rate factor.
      args: ['-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-cpu-used', '8', '-row-mt', '1', '-crf', '30', '-b:v', '0', '-pix_fmt', alpha ? 'yuva420p' : 'yuv420p'],
    };
  if (ext === '.mp4' || ext === '.mov' || ext === '.mkv')
    return { codec: 'libx264', args: ['-c:v', 'libx264', '-preset', 'veryfast', '-crf', '18', '-pix_fmt', 'yuv420p', ...(ext === '.mkv' ? [] : ['-movflags', '+faststart'])] };
  return { codec: 'ffmpeg default', args: [] };
};

const openFfmpeg = (ffmpeg: string, options: ClipOptions): ClipWriter => {
  const { out, width, height, fps, background } = options;
  const { args, codec } = codecArgs(out, background === null);
  const child: ChildProcess = spawn(
    ffmpeg,
    ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'rawvideo', '-pix_fmt', background ? 'yuv420p' : 'rgba', '-s', `${width}x${height}`, '-r', String(fps), '-i', 'pipe:0', ...args, out],
    { stdio: ['pipe', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const exited = new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve(code));
  });
  exited.catch(() => undefined);
  const stdin = child.stdin!;
  stdin.on('error', () => undefined); // ffmpeg quit early: close() reports its reason
  const failed = () => new Error(`ffmpeg could not write ${out}: ${stderr.trim() || 'it exited early'}`);
  return {
    kind: 'ffmpeg',
    codec,
    target: out,
    async write(rgba) {
      if (child.exitCode !== null || stdin.destroyed) throw failed();
      let bytes: Uint8Array;
      if (background) {
        bytes = new Uint8Array((width * height * 3) / 2); // a fresh buffer: the pipe holds it until written
        await composeI420(rgba, width, height, background, bytes);
      } else bytes = Buffer.from(rgba); // a copy: the frame's buffer goes back to the engine
      if (stdin.write(bytes)) return;
      await new Promise<void>((resolve) => {
        const done = () => {
          stdin.off('drain', done).off('close', done);
          resolve();
        };
        stdin.on('drain', done).on('close', done);
      });
    },
    async close() {
      stdin.end();
      const code = await exited;
      if (code !== 0) throw failed();
    },
    abort() {
      child.kill();
    },
  };
};

/** A PNG file of straight-alpha RGBA (8-bit, no filtering: fast to write, lossless). */
export const encodePng = (rgba: Uint8Array, width: number, height: number): Buffer => {
  const chunk = (type: string, data: Buffer) => {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(data.length, 0);
    head.write(type, 4, 'latin1');
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(data, crc32(head.subarray(4))));
    return Buffer.concat([head, data, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 6, 0, 0, 0], 8); // 8 bits, RGBA, deflate, no filter method variants, no interlace
  const stride = width * 4;
  const raw = Buffer.alloc((stride + 1) * height);
  for (let y = 0; y < height; y++) raw.set(rgba.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1); // filter byte 0 per row
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw, { level: 3 })), chunk('IEND', Buffer.alloc(0))]);
};

/** The PNG folder for an output name: `clip.webm` → `clip-frames/`; a name without extension is the folder itself. */
export const pngFolderFor = (out: string): string => (path.extname(out) ? out.slice(0, -path.extname(out).length) + '-frames' : out);

const openPngSequence = async (options: ClipOptions): Promise<ClipWriter> => {
  const folder = pngFolderFor(options.out);
  await mkdir(folder, { recursive: true });
  let index = 0;
  return {
    kind: 'png',
    codec: 'png',
    target: folder,
    async write(rgba) {
      index++;
      await writeFile(path.join(folder, `frame-${String(index).padStart(6, '0')}.png`), encodePng(rgba, options.width, options.height));
    },
    async close() {},
    abort() {},
  };
};

/**
 * Opens the writer `options.encoder` asks for: `auto` is ffmpeg where it is on PATH, else PNG frames;
 * `ffmpeg` without one on PATH is an error saying how to get it.
 */
export const openClipWriter = async (options: ClipOptions): Promise<ClipWriter> => {
  if (options.encoder === 'png') return openPngSequence(options);
  const ffmpeg = findOnPath('ffmpeg');
  if (ffmpeg) return openFfmpeg(ffmpeg, options);
  if (options.encoder === 'ffmpeg') throw new Error('--encoder ffmpeg: no ffmpeg on PATH (Debian: apt-get install ffmpeg)');
  return openPngSequence(options);
};
