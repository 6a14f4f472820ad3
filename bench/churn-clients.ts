/**
 * The churn's viewers, in a process of their own so their memory and CPU are not counted as the
 * server's: `tsx bench/churn-clients.ts URL ROUNDS VIEWERS` prints one JSON line per round.
 */
import { viewOnce } from './whep-viewer.js';

const [url, rounds, viewers] = [process.argv[2]!, Number(process.argv[3]), Number(process.argv[4])];
for (let round = 0; round < rounds; round++) {
  const results = await Promise.all(Array.from({ length: viewers }, () => viewOnce(url)));
  console.log(JSON.stringify({ round: round + 1, connected: results.filter(Boolean).length }));
}
// libwebrtc's threads can crash while tearing down at exit; we are done, so leave without running it.
process.kill(process.pid, 'SIGKILL');
