/** The `persona` command as a user runs it: a real child process. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = (...args: string[]) => promisify(execFile)(process.execPath, ['bin/persona.js', ...args], { timeout: 20_000 });

describe('persona CLI', () => {
  it('vocabulary --json lists the canonical names of the default character', async () => {
    const { stdout } = await run('vocabulary', '--json');
    const listing = JSON.parse(stdout);
    expect(Object.keys(listing)).toEqual(['actions', 'expressions', 'gaze']);
    expect(listing.actions).toEqual(expect.arrayContaining(['wave', 'sit_down', 'turn_around', 'look_around', 'stop', 'idle']));
    expect(listing.actions.length).toBeGreaterThanOrEqual(28);
    expect(listing.expressions).toHaveLength(12);
    expect(listing.gaze).toEqual(['camera', 'user', 'left', 'right', 'up', 'down', 'away']);
  });

  it('vocabulary --character picks another character, and an unknown one is a clear error', async () => {
    const { stdout } = await run('vocabulary', '--json', '--character', 'sleepy-aria');
    expect(JSON.parse(stdout).actions).toContain('nap');
    await expect(run('vocabulary', '--character', 'nobody')).rejects.toMatchObject({ stderr: expect.stringMatching(/unknown character "nobody"; available: aria/) });
  });

  it('interpret prints the directives and the reply as JSON', async () => {
    const { stdout } = await run('interpret', 'please wave twice');
    const result = JSON.parse(stdout);
    expect(result.directives[0].action).toEqual({ name: 'wave', repeat: 2 });
    expect(result.reply.length).toBeGreaterThan(0);
  });
});
