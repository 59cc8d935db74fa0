/**
 * One tab holds the account: the engine keeps MLS states in memory, and two engines writing
 * the same store would fork them. A Web Lock names the holder; other tabs say that Foyer is
 * open elsewhere and offer to move it here (stealing the lock, which tells the old holder to
 * let go).
 */
const LOCK_NAME = 'foyer-engine';

let release: (() => void) | undefined;
let onLost: (() => void) | undefined;

function hold(lost: () => void, steal: boolean): Promise<boolean> {
  return new Promise((resolveHeld) => {
    const options: LockOptions = steal ? { steal: true } : { ifAvailable: true };
    navigator.locks
      .request(LOCK_NAME, options, (lock) => {
        if (lock === null) {
          resolveHeld(false);
          return undefined;
        }
        onLost = lost;
        resolveHeld(true);
        // Held until released or stolen.
        return new Promise<void>((r) => (release = r));
      })
      .catch((err: unknown) => {
        // A stolen lock rejects the holder's request with AbortError: another tab took over.
        if (err instanceof DOMException && err.name === 'AbortError') {
          release = undefined;
          onLost?.();
          return;
        }
        throw err;
      });
  });
}

/**
 * Takes the account lock if no other tab holds it.
 * @param lost called when another tab takes the account over later
 * @returns whether this tab now holds it
 */
export function holdEngineLock(lost: () => void): Promise<boolean> {
  return hold(lost, false);
}

/** Takes the account over from the tab that holds it. */
export function stealEngineLock(lost: () => void): Promise<boolean> {
  return hold(lost, true);
}

/** Lets go of the lock (this tab is closing its engine). */
export function releaseEngineLock(): void {
  release?.();
  release = undefined;
}
