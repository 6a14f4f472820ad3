/**
 * Gives the C heap back after viewers (and WebSocket clients: served-session.ts) leave. libwebrtc frees a departed viewer's encoder, pacer
 * and transport, but glibc keeps the pages in its per-thread arenas, so a server whose viewers come
 * and go grows by ~0.7 MB per visit (measured: +141 MB over 200 visits). malloc_trim returns them;
 * it runs on a worker thread, at most once a second while viewers leave, the last one a second
 * after the last departure. It cannot return the free top of a thread arena: the addon pins glibc's
 * trim threshold when it loads so that free() does (native/binding/heap_trim.cc).
 */
import { trimMalloc } from '../../native/index.js';

/** Delay from a departure to the trim, ms: departures closer together share one trim. */
const TRIM_DELAY_MS = 1000;

export class HeapTrimmer {
  private timer: NodeJS.Timeout | null = null;

  /** A viewer or client left: trim soon. */
  departed(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      trimMalloc().catch((error: Error) => console.error(`webrtc: returning freed memory failed: ${error.message}`));
    }, TRIM_DELAY_MS);
    this.timer.unref(); // never keeps the process alive
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
