/** Retries `assertion` every `everyMs` until it passes or `timeoutMs` ran out (then its last error is thrown). */
export async function eventually(assertion: () => unknown, timeoutMs = 15000, everyMs = 50): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await assertion();
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  }
}
