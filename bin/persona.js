#!/usr/bin/env node
// The `persona` command. Runs the TypeScript sources through tsx's loader, so the checkout needs no compile step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../app/cli.ts');
const code = await main(process.argv.slice(2));
// Leave at once: @roamhq/wrtc's finalizers can abort the process during Node's environment
// teardown, after all our work is done and written, which would turn a good run into exit 134.
process.exit(code);
