import { BASE_RATE, SAMPLES_PER_FRAME, tone } from '../../media/domain/pcm';
import type { CallAudioSink, StopAudio } from '../call-media.port';

/** The simulated customer hums at 440 Hz, the agent at 660 Hz: two tracks anyone can tell apart. */
export const SIMULATOR_TONES = { customer: 440, agent: 660 } as const;

/**
 * Real audio for a simulated call, so recording and live audio run the same path as with a
 * carrier. Frames of 20 ms are produced by the clock, not by counting timer ticks: each tick sends
 * every frame due since the start, so a late timer never shortens the audio.
 */
export function startSimulatorAudio(sink: CallAudioSink, frameMs = 20): StopAudio {
  const started = performance.now();
  let sent = 0;
  const tick = () => {
    const due = Math.floor(((performance.now() - started) * BASE_RATE) / 1000 / SAMPLES_PER_FRAME) * SAMPLES_PER_FRAME;
    while (sent < due) {
      sink.frame('customer', tone(SIMULATOR_TONES.customer, sent, SAMPLES_PER_FRAME));
      sink.frame('agent', tone(SIMULATOR_TONES.agent, sent, SAMPLES_PER_FRAME));
      sent += SAMPLES_PER_FRAME;
    }
  };
  const timer = setInterval(tick, frameMs);
  timer.unref();
  let stopped = false;
  return async () => {
    if (stopped) return;
    stopped = true;
    clearInterval(timer);
    tick();
  };
}
