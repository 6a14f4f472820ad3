/** `persona interpret --jsonl` reads stdin a bounded line at a time: one endless line cannot fill memory (issue 11). */
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { boundedLines, type InputLine } from '../persona-commands.js';

type Answer = { input: string; directives: { gaze?: string; action?: { name: string } }[]; error?: string };

describe('persona interpret --jsonl with a line longer than 64 KiB', () => {
  it('answers it with one error line as soon as it passes the limit, before its newline, and goes on with the next line', async () => {
    const child = spawn(process.execPath, ['bin/persona.js', 'interpret', '--jsonl'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (piece: Buffer) => (stdout += piece.toString('utf8')));
    child.stderr.on('data', (piece: Buffer) => (stderr += piece.toString('utf8')));
    const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
    const write = (text: string) => new Promise<void>((resolve, reject) => child.stdin.write(text, (error) => (error ? reject(error) : resolve())));
    const lines = () => stdout.split('\n').filter(Boolean);

    await write('wave\n');
    // 16 MiB of one line, no newline yet: the answer must come while the line is still arriving.
    const piece = 'y'.repeat(64 * 1024);
    for (let sent = 0; sent < 256 && lines().length < 2; sent++) await write(piece);
    for (let waited = 0; waited < 200 && lines().length < 2; waited++) await new Promise((resolve) => setTimeout(resolve, 50));
    const answeredBeforeNewline = lines().length;
    await write('\nlook left\n');
    child.stdin.end('z'.repeat(70 * 1024)); // and a too-long last line without any newline
    expect(await closed).toBe(0);
    expect(stderr).toBe('');

    expect(answeredBeforeNewline).toBe(2);
    const out = lines().map((l) => JSON.parse(l) as Answer);
    expect(out).toHaveLength(4);
    expect(out[0]!.directives[0]!.action!.name).toBe('wave');
    expect(out[1]!.error).toBe('line too long: more than 65536 bytes; the limit is 65536 bytes (64 KiB). Skipped to the next line.');
    expect(out[1]!.directives).toEqual([]);
    expect(out[1]!.input).toBe(`${'y'.repeat(200)}…`);
    expect(out[2]!.input).toBe('look left');
    expect(out[2]!.directives[0]!.gaze).toBe('left');
    expect(out[3]!.error).toMatch(/^line too long: more than 65536 bytes/);
  }, 60_000);
});

describe('boundedLines', () => {
  const read = async (chunks: (string | Buffer)[], max = 8) => {
    const out: InputLine[] = [];
    for await (const line of boundedLines((async function* () { yield* chunks; })(), max)) out.push(line);
    return out;
  };

  it('splits at \\n, \\r\\n and \\r as readline does, across chunk edges, keeping blank lines and a last line without newline', async () => {
    expect(await read(['a\r', '\nb\n\nc\rd', '', 'e\r\n', 'f'])).toEqual([{ line: 'a' }, { line: 'b' }, { line: '' }, { line: 'c' }, { line: 'de' }, { line: 'f' }]);
    expect(await read(['a\n'])).toEqual([{ line: 'a' }]);
  });

  it('decodes a character split between chunks', async () => {
    const bytes = Buffer.from('née\n');
    expect(await read([bytes.subarray(0, 2), bytes.subarray(2)])).toEqual([{ line: 'née' }]);
  });

  it('reports a line over the limit once, with its start, as soon as it passes, then goes on', async () => {
    expect(await read(['12345678\n', '123456789', '0000\nok\n'])).toEqual([{ line: '12345678' }, { tooLong: '12345678' }, { line: 'ok' }]);
    expect(await read(['1234', '56789\r', '\nok'])).toEqual([{ tooLong: '12345678' }, { line: 'ok' }]);
  });

  it('reads an endless line without holding it: the report comes after the limit, long before the end', async () => {
    let sent = 0;
    const endless = (async function* () {
      for (;;) {
        sent += 64 * 1024;
        yield Buffer.alloc(64 * 1024, 0x79);
      }
    })();
    const first = await boundedLines(endless, 64 * 1024).next();
    expect(first.value).toEqual({ tooLong: 'y'.repeat(64 * 1024) });
    expect(sent).toBeLessThanOrEqual(2 * 64 * 1024);
  });
});
