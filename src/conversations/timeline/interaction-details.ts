import { callView, stepView, type CallView } from '../../calls/call.view';
import { CALL_STEP_KINDS } from '../../calls/domain/call-step';
import { participantsView } from '../../calls/participants/participant.view';
import { messageView, type MessageView } from '../../messaging/message.view';
import type { Repositories } from '../../unit-of-work/unit-of-work';
import type { InteractionExtras } from '../conversation.view';
import type { Interaction } from '../domain/conversation';

/** The full views of a set of interactions: calls with their times and steps, messages with their texts and attachments. */
export interface InteractionDetails {
  calls: Map<string, CallView>;
  messages: Map<string, MessageView>;
}

/** Loads the details of these interactions (of one tenant) in five queries, whatever their number. */
export async function loadInteractionDetails(
  stores: Pick<Repositories, 'calls' | 'timeline' | 'messages' | 'participants'>, tenantId: string, interactions: Interaction[], now: string,
): Promise<InteractionDetails> {
  const voiceIds = interactions.filter((i) => i.channel === 'voice').map((i) => i.id);
  const smsIds = interactions.filter((i) => i.channel === 'sms').map((i) => i.id);
  const details = await stores.calls.detailsOf(tenantId, voiceIds);
  const steps = await stores.timeline.ofInteractions(tenantId, voiceIds, CALL_STEP_KINDS);
  const parties = await stores.participants.ofCalls(tenantId, voiceIds);
  const { messages } = stores;
  const contents = new Map((await messages.contentsOf(tenantId, smsIds)).map((c) => [c.interactionId, c]));
  const attachments = await messages.attachmentsOfMany(tenantId, smsIds);

  const result: InteractionDetails = { calls: new Map(), messages: new Map() };
  for (const interaction of interactions) {
    const call = details.get(interaction.id);
    if (interaction.channel === 'voice' && call) {
      const own = steps.filter((s) => s.interactionId === interaction.id).map(stepView);
      const asCall = { tenantId, interaction, details: call };
      result.calls.set(interaction.id, callView(asCall, own, now, participantsView(asCall, parties.filter((p) => p.callId === interaction.id))));
    }
    const content = contents.get(interaction.id);
    if (interaction.channel === 'sms' && content) {
      result.messages.set(interaction.id, messageView(interaction, content, attachments.filter((a) => a.interactionId === interaction.id)));
    }
  }
  return result;
}

/**
 * What an interaction of a conversation view shows beyond the interaction itself: a call's answer
 * time, durations and mute; a message's size and how many attachments it has. Texts, pictures and
 * call steps are one request away, on the conversation's timeline.
 */
export function interactionExtras(details: InteractionDetails): Map<string, InteractionExtras> {
  const extras = new Map<string, InteractionExtras>();
  for (const [id, c] of details.calls) {
    extras.set(id, { answeredAt: c.answeredAt, durationSeconds: c.durationSeconds, holdSeconds: c.holdSeconds, talkSeconds: c.talkSeconds, muted: c.muted });
  }
  for (const [id, m] of details.messages) {
    extras.set(id, { segments: m.segments, encoding: m.encoding, attachmentCount: m.attachments.length });
  }
  return extras;
}
