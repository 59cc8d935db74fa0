/**
 * One tab holds the account: the engine keeps MLS states in memory, and two engines writing
 * the same store would fork them. A Web Lock names the holder; other tabs say that Foyer is
 * open elsewhere and offer to move it here (stealing the lock, which tells the old holder to
 * let go).
 *
 * Stealing is immediate, but the old holder needs a moment to close its engine (a write may be
 * under way). A second lock, held from opening the store until the engine is closed, makes the
 * new holder wait for that instead of opening the store beside a running engine.
 */
const LOCK_NAME = 'foyer-engine';
const STORE_LOCK_NAME = 'foyer-store';

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

/** Whether this tab holds the account (false once another tab took it over). */
export function holdsEngineLock(): boolean {
  return release !== undefined;
}

/**
 * Waits until no engine of another tab has the store open, then holds the store until the
 * returned function is called (after this tab's engine closed).
 */
export function holdStore(): Promise<() => void> {
  return new Promise((resolveHeld, reject) => {
    navigator.locks
      .request(STORE_LOCK_NAME, () => new Promise<void>((done) => resolveHeld(done)))
      .catch(reject);
  });
}
