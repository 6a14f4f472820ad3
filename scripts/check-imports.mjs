// Enforces the layer rules (the ALLOWED table below): which top-level folder may import which. Exits 1 listing each violation.
// Tests (__tests__/) and bench/ are consumers of the layers, not layers: they may import anything.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const ALLOWED = {
  protocol: [],
  engine: ['protocol'],
  systems: ['engine', 'protocol', 'characters', 'native'],
  characters: ['protocol'],
  persona: ['protocol', 'characters'],
  native: ['protocol'],
  renderer: ['protocol'],
  app: ['protocol', 'engine', 'systems', 'characters', 'persona', 'native', 'renderer', 'bench'],
};
// The browser bundle must not pull in Node-only modules.
const NODE_ONLY = /^(node:|fs$|path$|os$|child_process$|worker_threads$|ws$|better-sqlite3$|@roamhq\/wrtc$)/;

const root = process.cwd();
const files = [];
const walk = (dir) => {
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) {
      if (name !== 'node_modules' && name !== 'dist' && name !== '__tests__') walk(full);
    } else if (/\.(ts|mts|mjs|js)$/.test(name)) files.push(full);
  }
};
for (const layer of Object.keys(ALLOWED)) walk(path.join(root, layer));

const violations = [];
for (const file of files) {
  const layer = path.relative(root, file).split(path.sep)[0];
  const source = readFileSync(file, 'utf8');
  for (const match of source.matchAll(/(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)|import\s+['"]([^'"]+)['"]/g)) {
    const spec = match[1] ?? match[2] ?? match[3];
    if (spec.startsWith('.')) {
      const target = path.relative(root, path.resolve(path.dirname(file), spec)).split(path.sep)[0];
      if (target !== layer && !ALLOWED[layer].includes(target)) violations.push(`${path.relative(root, file)}: ${layer}/ may not import ${target}/ ("${spec}")`);
    } else if (layer === 'renderer' && NODE_ONLY.test(spec)) {
      violations.push(`${path.relative(root, file)}: renderer/ runs in a browser and may not import "${spec}"`);
    }
  }
}
if (violations.length) {
  console.error(`import rules broken (a folder may import only the folders ALLOWED lists for it in scripts/check-imports.mjs):\n  ${violations.join('\n  ')}`);
  process.exit(1);
}
console.log(`import rules: ${files.length} files checked, no violations`);
