/**
 * Serialises the engine's state changes. Every operation that reads and writes the store
 * (sending, processing incoming items, commits) runs under this lock, so two of them never
 * interleave at an `await` and lose each other's writes.
 */
export class Mutex {
  private tail: Promise<void> = Promise.resolve();
  private held = false;

  /** Runs `fn` once every earlier holder finished. Not re-entrant: never nest `run` calls. */
  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.tail.then(async () => {
      this.held = true;
      try {
        return await fn();
      } finally {
        this.held = false;
      }
    });
    // The next holder waits for this one whether it succeeded or failed.
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  get locked(): boolean {
    return this.held;
  }
}
