/**
 * The churn's viewers, in a process of their own so their memory and CPU are not counted as the
 * server's: `tsx bench/churn-clients.ts URL VIEWERS`. Each line on stdin is a number of rounds to
 * run (all VIEWERS connect, reach ICE connected and leave, each round); it prints one JSON line per
 * round and `{"done":true}` after the last. Between commands it holds no connection.
 */
import { createInterface } from 'node:readline';
import { viewOnce } from './whep-viewer.js';

const [url, viewers] = [process.argv[2]!, Number(process.argv[3])];
for await (const line of createInterface({ input: process.stdin })) {
  const rounds = Number(line);
  if (!Number.isInteger(rounds) || rounds < 1) break;
  for (let round = 0; round < rounds; round++) {
    // A visit the server refused with a reason (e.g. the 400 for an offer libwebrtc cannot parse, which our
    // own client very rarely writes) counts as not connected; it does not end the churn.
    const results = await Promise.all(
      Array.from({ length: viewers }, () =>
        viewOnce(url).catch((error: Error) => {
          console.error(`churn visit refused: ${error.message.slice(0, 200)}`);
          return false;
        }),
      ),
    );
    console.log(JSON.stringify({ round: round + 1, connected: results.filter(Boolean).length }));
  }
  console.log(JSON.stringify({ done: true }));
}
// libwebrtc's threads can crash while tearing down at exit; we are done, so leave without running it.
process.kill(process.pid, 'SIGKILL');
