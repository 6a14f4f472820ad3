/** Runs the pure C++ checks of the core (native/tools/core_test.cc, built with the addon) and shows their output on failure. */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const binary = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../build/persona_core_test');

describe('C++ core checks (CTest executable)', () => {
  it('passes: bone lengths, hidden face from behind, coverage, same bytes', async () => {
    expect(existsSync(binary), `${binary} is missing: run \`npm run build:native\``).toBe(true);
    const { stdout } = await promisify(execFile)(binary).catch((error: { stdout?: string; message: string }) => {
      throw new Error(`persona_core_test failed:\n${error.stdout ?? error.message}`);
    });
    expect(stdout).toContain('all core checks passed');
  });
});
