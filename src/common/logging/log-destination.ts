import pino from 'pino';

export type LogDestination = ReturnType<typeof pino.destination>;

/** Standard output written as pino does by default (asynchronously, nothing held back). */
export function stdoutDestination(): LogDestination {
  const destination = pino.destination({ dest: 1, sync: false, minLength: 0 });
  // pino stops writing on EPIPE (the reader closed the pipe); remember it so nothing waits for it.
  destination.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') broken.add(destination);
  });
  return destination;
}

const broken = new WeakSet<LogDestination>();

/**
 * Waits until what was logged has been written, at most `timeoutMs`, and then lets go of the
 * destination so that exiting never waits on standard output: pino flushes synchronously on exit,
 * which retries forever when the reader has closed the pipe (EPIPE) and blocks when it has stopped
 * reading. Logging after this throws; call it right before `process.exit`.
 */
export async function releaseLogs(destination: LogDestination, timeoutMs: number): Promise<void> {
  if (broken.has(destination)) return;
  const written = await new Promise<boolean>((resolve) => {
    const finish = (ok: boolean): void => {
      clearTimeout(timer);
      destination.off('drain', onDrain);
      destination.off('error', onError);
      resolve(ok);
    };
    const onDrain = (): void => finish(true);
    const onError = (): void => finish(false);
    const timer = setTimeout(() => finish(false), timeoutMs);
    destination.once('drain', onDrain);
    destination.once('error', onError);
    // An empty write is answered with 'drain' once everything before it has been written.
    destination.write('');
  });
  if (!written && !broken.has(destination)) destination.destroy();
}
