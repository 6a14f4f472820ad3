/**
 * The first flags a newcomer gets wrong (issue 18, items 11–13): each bad value alone gets one line
 * naming the flag and what it accepts, exit 2; odd sizes are refused before anything starts;
 * negative numbers are values, not flags; `--version`; the URL printed by `serve` carries its token.
 */
import { describe, expect, it } from 'vitest';
import { execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

const persona = (args: string[], env: Record<string, string> = {}) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, ['bin/persona.js', ...args], { env: { ...process.env, ...env }, timeout: 30_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });

describe('persona serve: one bad flag, one line', () => {
  it.each([
    [['--size', '5'], 'persona serve: --size: must be at least 64 (got 5)'],
    [['--size', '513', '--port', '0'], 'persona serve: --size: must be even: video is encoded in 2×2 blocks (got 513)'],
    [['--fps', '45'], 'persona serve: --fps: must be one of 30, 60 (got 45)'],
    [['--port', '99999'], 'persona serve: --port: must be at most 65535 (got 99999)'],
    [['--token', 'short'], 'persona serve: --token: must be at least 16 characters'],
    [['--max-viewers', '0'], 'persona serve: --max-viewers: must be at least 1 (got 0)'],
    [['--max-viewers', '-1'], 'persona serve: --max-viewers: must be at least 1 (got -1)'],
    [['--port', '-5'], 'persona serve: --port: must be at least 0 (got -5)'],
    [['--size', '-512'], 'persona serve: --size: must be at least 64 (got -512)'],
  ])('%j', async (args, line) => {
    const { code, stderr, stdout } = await persona(['serve', ...args]);
    expect(stderr.trim().split('\n')).toEqual([line]);
    expect(stdout).toBe('');
    expect(code).toBe(2);
  });

  it('PERSONA_SIZE=513 is refused the same way, naming the variable', async () => {
    const { code, stderr } = await persona(['serve', '--port', '0'], { PERSONA_SIZE: '513' });
    expect(stderr.trim()).toBe('persona serve: PERSONA_SIZE: must be even: video is encoded in 2×2 blocks (got 513)');
    expect(code).toBe(2);
  });
});

describe('persona --version', () => {
  it('prints the package version', async () => {
    const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    for (const flag of ['--version', '-v']) {
      const { code, stdout } = await persona([flag]);
      expect(stdout.trim()).toBe(version);
      expect(code).toBe(0);
    }
  });
});

describe('persona serve --token', () => {
  it('prints the URL with its token, which opens the API', async () => {
    const token = 'a-token-of-twenty-chars';
    const child = spawn(process.execPath, ['bin/persona.js', 'serve', '--port', '0', '--size', '64', '--token', token], {
      env: { ...process.env, PERSONA_DATA_DIR: ':memory:' },
    });
    try {
      const line = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          if (out.includes('\n')) resolve(out.split('\n')[0]!);
        });
        child.once('exit', (code) => reject(new Error(`serve exited ${code}`)));
        setTimeout(() => reject(new Error(`no URL printed: ${out}`)), 20_000);
      });
      const url = new URL(/(http:\/\/\S+)/.exec(line)![1]!);
      expect(url.searchParams.get('token')).toBe(token);
      const health = await fetch(new URL(`/api/health?token=${url.searchParams.get('token')}`, url));
      expect(health.status).toBe(200);
      expect((await fetch(new URL('/api/health', url))).status).toBe(401);
    } finally {
      child.kill('SIGTERM');
    }
  });
});
