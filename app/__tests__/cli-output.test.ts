/** The CLI's output survives a slow pipe: it leaves only after stdout and stderr have drained (issue 11). */
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';

/** Runs bin/persona.js with `stdin`, reading its stdout in small sips with pauses, as a slow consumer in a pipeline does. */
const slowlyRead = (args: string[], stdin: string) =>
  new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/persona.js', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (piece: Buffer) => {
      stdout += piece.toString('utf8');
      child.stdout.pause();
      setTimeout(() => child.stdout.resume(), 20);
    });
    child.stderr.on('data', (piece: Buffer) => (stderr += piece.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });

describe('persona CLI output into a pipe', () => {
  it('interpret --jsonl writes every one of 2,000 answers to a slow reader', async () => {
    const lines = Array.from({ length: 2000 }, (_, i) => `wave ${(i % 5) + 1} times and look sad #${i}`);
    const { code, stdout, stderr } = await slowlyRead(['interpret', '--jsonl'], `${lines.join('\n')}\n`);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const out = stdout.split('\n').filter(Boolean);
    expect(out).toHaveLength(2000);
    expect((JSON.parse(out[1999]!) as { input: string }).input).toBe(lines[1999]);
  }, 60_000);
});
