#!/usr/bin/env node
// The `persona` command. Runs the TypeScript sources through tsx's loader, so the checkout needs no compile step.
import { register } from 'tsx/esm/api';

// A reader that goes away early (`persona interpret --jsonl | head`) is not an error of ours: stop quietly.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
}

/** Resolves once everything written to `stream` so far has reached the pipe, file or terminal (or the stream is gone). */
const drained = (stream) =>
  new Promise((resolve) => {
    if (stream.destroyed || !stream.writable) return resolve();
    stream.once('close', resolve);
    stream.write('', () => resolve());
  });

register();
const { main } = await import('../app/cli.ts');
const code = await main(process.argv.slice(2));
// Into a pipe, output is written asynchronously: leaving before it drains cuts it (piped --jsonl lost most of its lines).
await Promise.all([drained(process.stdout), drained(process.stderr)]);
// Then leave at once: @roamhq/wrtc's finalizers can abort the process during Node's environment
// teardown, after all our work is done and written, which would turn a good run into exit 134.
process.exit(code);
