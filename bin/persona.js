#!/usr/bin/env node
// The `persona` command. Runs the TypeScript sources through tsx's loader, so the checkout needs no compile step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../app/cli.ts');
process.exitCode = await main(process.argv.slice(2));
