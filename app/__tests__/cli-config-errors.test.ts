/** A bad setting on the command line gets one human line per problem and exit code 2, never a zod dump (issue 11). */
import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';

const persona = (args: string[], env: Record<string, string> = {}) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, ['bin/persona.js', ...args], { env: { ...process.env, ...env }, timeout: 30_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });

describe('persona serve with bad settings', () => {
  it('--token short: one line naming the flag, exit 2', async () => {
    const { code, stderr } = await persona(['serve', '--port', '0', '--token', 'short']);
    expect(code).toBe(2);
    expect(stderr.trim().split('\n')).toEqual(['persona serve: --token: must be at least 16 characters']);
  });

  it('several problems: one line each, naming the flag (or the variable it came from)', async () => {
    const { code, stderr } = await persona(
      ['serve', '--port', '99999', '--fps', '45', '--max-viewers', '0', '--whip-url', 'nope', '--provider', 'gpt5', '--size', '32'],
      { PERSONA_TOKEN: 'short' },
    );
    expect(code).toBe(2);
    const lines = stderr.trim().split('\n');
    expect(lines[0]).toBe('persona serve: bad settings:');
    expect(lines.slice(1).sort()).toEqual(
      [
        '  --port: must be at most 65535 (got 99999)',
        '  --fps: must be one of 30, 60 (got 45)',
        '  --max-viewers: must be at least 1 (got 0)',
        '  --whip-url: must be a URL (got "nope")',
        '  --provider: must be one of "embedded", "openai", "llama" (got "gpt5")',
        '  --size: must be at least 64 (got 32)',
        '  PERSONA_TOKEN: must be at least 16 characters',
      ].sort(),
    );
    expect(stderr).not.toMatch(/"code"|"path"|\[\s*\{/);
  });

  it('a flag that is not a number, a bad --source, --background or session name: exit 2 too', async () => {
    for (const [args, message] of [
      [['--port', 'abc'], /--port must be an integer, got "abc"/],
      [['--source', 'webcam'], /--source must be one of puppet, control, diffusion, got "webcam"/],
      [['--background', 'red'], /--background must be a colour like #262a35, got "red"/],
      [['--session', 'BAD=aria'], /^persona serve: --session: a session name is 1–32 characters: lowercase letters, digits, "-" or "_" \(got "BAD"\)$/m],
    ] as const) {
      const { code, stderr } = await persona(['serve', ...args]);
      expect(code, args.join(' ')).toBe(2);
      expect(stderr).toMatch(message);
    }
  });
});

describe('the other commands with bad settings: the same lines, exit 2', () => {
  it('interpret: every bad provider setting, one line each, naming the flag or variable', async () => {
    const { code, stderr } = await persona(['interpret', '--provider', 'gpt5', 'wave'], { PERSONA_OPENAI_BASE_URL: 'nope', PERSONA_OPENAI_STRUCTURED: 'xml' });
    expect(code).toBe(2);
    const lines = stderr.trim().split('\n');
    expect(lines[0]).toBe('persona interpret: bad settings:');
    expect(lines.slice(1).sort()).toEqual(
      [
        '  --provider: must be one of "embedded", "openai", "llama" (got "gpt5")',
        '  PERSONA_OPENAI_BASE_URL: must be a URL (got "nope")',
        '  PERSONA_OPENAI_STRUCTURED: must be one of "json_schema", "ollama", "none" (got "xml")',
      ].sort(),
    );
  });

  it('interpret: a variable that is not a number, an empty data dir, an unknown flag', async () => {
    for (const [args, env, message] of [
      [['interpret', 'wave'], { PERSONA_OPENAI_TIMEOUT_MS: 'soon' }, /^persona interpret: PERSONA_OPENAI_TIMEOUT_MS must be an integer, got "soon"$/m],
      [['interpret', 'wave'], { PERSONA_DATA_DIR: '' }, /^persona interpret: PERSONA_DATA_DIR: must not be empty$/m],
      [['interpret', '--provder', 'openai', 'wave'], {}, /^persona interpret: Unknown option '--provder'/m],
      [['serve', '--port'], {}, /^persona serve: Option '--port <value>' argument missing/m],
    ] as const) {
      const { code, stderr } = await persona([...args], env);
      expect(code, args.join(' ')).toBe(2);
      expect(stderr).toMatch(message);
    }
  });

  it('import-card, soak and trace check theirs before doing anything', async () => {
    for (const [args, env, message] of [
      [['import-card', 'no-such-card.json'], { PERSONA_DATA_DIR: '' }, /^persona import-card: PERSONA_DATA_DIR: must not be empty$/m],
      [['soak', '--minutes', 'lots'], {}, /^persona soak: --minutes: must be a positive number \(got "lots"\)$/m],
      [['trace', '--seconds', '0', '--url', 'http://127.0.0.1:9'], {}, /^persona trace: --seconds: must be more than 0 and at most 60 \(got "0"\)$/m],
    ] as const) {
      const { code, stderr } = await persona([...args], env);
      expect(code, args.join(' ')).toBe(2);
      expect(stderr).toMatch(message);
    }
  });
});
