import "server-only";
import { log } from "@/lib/log";
import { verifySignatures } from "./verify-signature";

// After any trust change every stored signature is checked again, off the request path. Changes
// that arrive while a run is going coalesce into one more run. (Per instance; the job queue of a
// later issue makes this shared and durable.)
const state = globalThis as unknown as { vitrineReverify?: { running: boolean; again: boolean; last?: Promise<void> } };

export function scheduleReverification(): Promise<void> {
  state.vitrineReverify ??= { running: false, again: false };
  const s = state.vitrineReverify;
  if (s.running) {
    s.again = true;
    return s.last ?? Promise.resolve();
  }
  s.running = true;
  s.last = (async () => {
    try {
      do {
        s.again = false;
        const started = Date.now();
        const result = await verifySignatures({ now: new Date() });
        log.info("signatures re-verified after a trust change", { ...result, ms: Date.now() - started });
      } while (s.again);
    } catch (error) {
      log.error("re-verification failed", { error });
    } finally {
      s.running = false;
    }
  })();
  return s.last;
}
