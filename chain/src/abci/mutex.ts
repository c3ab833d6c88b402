/**
 * A FIFO async mutex. The ABCI application is not reentrant: every call into it, from any
 * connection, runs under one lock (as CometBFT's local client does with its global mutex).
 */
export class AsyncMutex {
  private tail: Promise<void> = Promise.resolve();

  /** Runs `fn` once every earlier holder has finished; releases even if `fn` throws. */
  runExclusive<T>(fn: () => Promise<T> | T): Promise<T> {
    const result = this.tail.then(() => fn());
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}
