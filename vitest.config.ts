import os from 'node:os';
import path from 'node:path';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/__tests__/**/*.test.ts'],
    exclude: ['node_modules/**', 'build/**', 'additions/**'], // additions/: installed runtimes (persona add), not our tests
    // Native addon and Chromium tests share 2 cores; running files one at a time keeps them from starving each other.
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Servers started by tests keep their chat history here, never in the user's ~/.persona-engine.
    env: { PERSONA_DATA_DIR: path.join(os.tmpdir(), `persona-test-data-${process.pid}`) },
  },
});
