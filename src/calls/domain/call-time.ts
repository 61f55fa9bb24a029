/**
 * How long a call was connected and on hold, from its answer and end times and its recorded
 * steps. Pure: a live call is measured up to `now`, which the caller passes in.
 *
 * - `durationSeconds`: answered → ended (or now), hold included; null when never answered.
 * - `holdSeconds`: the part of it between each `held` and the next `resumed` (or the end).
 * - `talkSeconds`: the rest, `durationSeconds - holdSeconds`.
 *
 * Each is rounded to whole seconds once, from milliseconds, and talk is derived by subtraction,
 * so talk + hold always equals the duration a report sums up.
 */
export interface CallTimes {
  durationSeconds: number | null;
  holdSeconds: number | null;
  talkSeconds: number | null;
}

export interface TimedStep {
  kind: string;
  at: string;
}

export function callTimes(answeredAt: string | null, endedAt: string | null, steps: readonly TimedStep[], now: string): CallTimes {
  if (answeredAt === null) return { durationSeconds: null, holdSeconds: null, talkSeconds: null };
  const start = Date.parse(answeredAt);
  const end = Math.max(start, Date.parse(endedAt ?? now));
  let heldMs = 0;
  let heldSince: number | null = null;
  for (const step of [...steps].sort((a, b) => Date.parse(a.at) - Date.parse(b.at))) {
    // Clamped into the connected span: a step recorded a hair outside it counts for nothing.
    const at = Math.min(end, Math.max(start, Date.parse(step.at)));
    if (step.kind === 'held' && heldSince === null) heldSince = at;
    if (step.kind === 'resumed' && heldSince !== null) {
      heldMs += at - heldSince;
      heldSince = null;
    }
  }
  if (heldSince !== null) heldMs += end - heldSince;
  const durationSeconds = Math.round((end - start) / 1000);
  const holdSeconds = Math.min(durationSeconds, Math.round(heldMs / 1000));
  return { durationSeconds, holdSeconds, talkSeconds: durationSeconds - holdSeconds };
}
