// A parent for the orphan test: starts `persona serve` through ServerProcess, prints the child's pid, then waits to be killed.
import path from 'node:path';
import { ServerProcess } from '../server-process.js';

const root = path.resolve(import.meta.dirname, '../../..');
const server = new ServerProcess({ command: process.execPath, args: [path.join(root, 'bin/persona.js'), 'serve', '--voice', 'off'] });
await server.start();
console.log(JSON.stringify({ pid: server.pid, url: server.status.state === 'ready' ? server.status.url : null }));
setInterval(() => undefined, 1000);
