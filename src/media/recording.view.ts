import type { Recording } from './domain/recording';

/** A recording as the API answers it. */
export interface RecordingView {
  id: string;
  callId: string;
  conversationId: string;
  provider: string;
  state: Recording['state'];
  pauseBehavior: Recording['pauseBehavior'];
  startedAt: string;
  endedAt: string | null;
  availableAt: string | null;
  /** Set once the file is available: `GET` it (Range supported). */
  href: string | null;
  contentType: string | null;
  channels: number | null;
  durationMs: number | null;
  size: number | null;
}

export function recordingView(r: Recording): RecordingView {
  return {
    id: r.id, callId: r.callId, conversationId: r.conversationId, provider: r.provider, state: r.state, pauseBehavior: r.pauseBehavior,
    startedAt: r.startedAt, endedAt: r.endedAt, availableAt: r.availableAt,
    href: r.state === 'available' ? recordingHref(r.id) : null,
    contentType: r.contentType, channels: r.channels, durationMs: r.durationMs, size: r.size,
  };
}

export function recordingHref(id: string): string {
  return `/v1/recordings/${id}`;
}
