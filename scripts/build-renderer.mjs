// Bundles the browser UI (renderer/main.ts and protocol/) into renderer/dist/app.js with esbuild.
import { build } from 'esbuild';

const started = performance.now();
await build({
  entryPoints: ['renderer/main.ts'],
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  outfile: 'renderer/dist/app.js',
  sourcemap: true,
  minify: true,
  logLevel: 'warning',
});
console.log(`renderer: bundled renderer/dist/app.js in ${Math.round(performance.now() - started)} ms`);
