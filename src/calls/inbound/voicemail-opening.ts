import { newId } from '../../common/ids';
import type { Recording } from '../../media/domain/recording';
import type { Work } from '../../unit-of-work/unit-of-work';
import type { Call } from '../domain/call';

/** The longest voicemail message kept. */
export const VOICEMAIL_MAX_SECONDS = 120;

/**
 * Inside the transaction that takes a timed-out call for voicemail: the recording that will hold
 * the message, a `voicemail` timeline entry and `call.voicemail` with the recording's id.
 */
export async function openVoicemail(w: Work, call: Call, queueTimeoutSeconds: number, at: string): Promise<Recording> {
  const { tenantId } = call;
  const { id: interactionId, conversationId } = call.interaction;
  const recording: Recording = {
    id: newId(), tenantId, callId: interactionId, conversationId, provider: call.interaction.provider!, providerRef: null,
    state: 'recording', pauseBehavior: 'silence', startedBy: null, storageKey: null, contentType: null, size: null, durationMs: null,
    channels: null, startedAt: at, endedAt: null, availableAt: null, deletedAt: null, updatedAt: at,
  };
  await w.recordings.insert(recording);
  const data = { recordingId: recording.id, queueTimeoutSeconds };
  await w.timeline.append(tenantId, { conversationId, interactionId, kind: 'voicemail', at, data });
  await w.conversations.touch(tenantId, conversationId, at);
  const conversation = await w.conversations.findById(tenantId, conversationId);
  // To the conversation's agent, or the queue when it has none: where the call was being offered.
  await w.emit(tenantId, [{ type: 'call.voicemail', conversationId, interactionId, agentId: conversation?.agentId ?? null, data }], at);
  return recording;
}
