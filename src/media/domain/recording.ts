import type { PauseBehavior, RecordingState } from './recording-state';

/** A recording of a call, as the gateway keeps it. */
export interface Recording {
  id: string;
  tenantId: string;
  callId: string;
  conversationId: string;
  provider: string;
  /** The provider's id of the recording (Twilio's RecordingSid); null where the gateway records itself. */
  providerRef: string | null;
  state: RecordingState;
  pauseBehavior: PauseBehavior;
  /** The agent (or supervisor) who started it; null for a tenant's `always` policy. */
  startedBy: string | null;
  /** Where the file is in the recording storage, once there is one (null again once deleted). */
  storageKey: string | null;
  contentType: string | null;
  size: number | null;
  durationMs: number | null;
  channels: number | null;
  startedAt: string;
  endedAt: string | null;
  availableAt: string | null;
  deletedAt: string | null;
  updatedAt: string;
}
