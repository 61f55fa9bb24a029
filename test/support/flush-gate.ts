/** Flushes of the WAL that a test finishes by hand (storage/wal-flush.ts), and promise states. */

/** A flush the test finishes by hand, recording when each one started. */
export function gatedFlushes() {
  const started: string[] = [];
  const pending: Array<{ resolve: () => void; reject: (error: Error) => void }> = [];
  const flush = () => new Promise<void>((resolve, reject) => {
    started.push(`flush ${started.length + 1}`);
    pending.push({ resolve, reject });
  });
  const finishNext = async (error?: Error) => {
    const next = pending.shift()!;
    if (error) next.reject(error);
    else next.resolve();
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { started, flush, finishNext };
}

/** Waits (a few event-loop turns at most) for the n-th flush to start: the file is opened first, off the loop. */
export async function flushesStarted(gate: ReturnType<typeof gatedFlushes>, n: number): Promise<void> {
  for (let turn = 0; turn < 1000 && gate.started.length < n; turn++) await new Promise((resolve) => setTimeout(resolve, 1));
}

export const settled = async (promise: Promise<unknown>) => {
  let state = 'pending';
  promise.then(() => (state = 'resolved'), () => (state = 'rejected'));
  await new Promise((resolve) => setImmediate(resolve));
  return state;
};
