// Bundles the browser pages (the UI, renderer/main.ts; the WebRTC viewer, renderer/viewer.ts; the desktop character, renderer/character.ts) into renderer/dist/ with esbuild.
import { build } from 'esbuild';

const started = performance.now();
await build({
  entryPoints: { app: 'renderer/main.ts', viewer: 'renderer/viewer.ts', character: 'renderer/character.ts' },
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  outdir: 'renderer/dist',
  sourcemap: true,
  minify: true,
  logLevel: 'warning',
});
console.log(`renderer: bundled renderer/dist/{app,viewer,character}.js in ${Math.round(performance.now() - started)} ms`);
