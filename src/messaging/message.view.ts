import { interactionView, type InteractionView } from '../conversations/conversation.view';
import type { Interaction } from '../conversations/domain/conversation';
import type { Attachment, MessageContent } from './domain/message';
import type { ProviderAttempt } from '../failover/domain/failover';
import { providerFailure, safeProviderMessage, type ProviderFailure } from '../failover/domain/provider-failure';

export interface AttachmentView {
  id: string;
  contentType: string;
  size: number | null;
  /** Where an authorised agent fetches it. */
  href: string;
}

export interface MessageView extends InteractionView {
  conversationId: string;
  body: string;
  segments: number;
  encoding: string;
  error: { code: string | null; message: string | null } | null;
  /** Provider failover: each provider it was handed to, in order, and why it failed (null: it took it). */
  attempts: ProviderAttempt[];
  /** Why the provider failed it (a refusal, or a failed or undelivered report): its code and a safe message; null: it did not. */
  failure: ProviderFailure | null;
  attachments: AttachmentView[];
}

export function attachmentView(a: Attachment): AttachmentView {
  return { id: a.id, contentType: a.contentType, size: a.size, href: `/v1/attachments/${a.id}` };
}

export function messageView(interaction: Interaction, content: MessageContent, attachments: Attachment[]): MessageView {
  return {
    ...interactionView(interaction),
    conversationId: interaction.conversationId,
    body: content.body,
    segments: content.segments,
    encoding: content.encoding,
    error: content.errorCode || content.errorMessage
      ? { code: content.errorCode, message: content.errorMessage === null ? null : safeProviderMessage(content.errorMessage) } : null,
    attempts: (content.attempts ?? []).map((a) => (a.error === null ? a : { ...a, error: safeProviderMessage(a.error) })),
    failure: failureOf(interaction, content),
    attachments: attachments.map(attachmentView),
  };
}

/**
 * A failed or undelivered message's failure, from what the provider said: its refusal (kept as the
 * message's error) or the error code of its report, attributed to the provider that has the message.
 */
function failureOf(interaction: Interaction, content: MessageContent): ProviderFailure | null {
  if (interaction.state !== 'failed' && interaction.state !== 'undelivered') return null;
  if (!content.errorCode && !content.errorMessage) return null;
  const message = content.errorMessage ?? `${interaction.provider ?? 'the provider'} reported error ${content.errorCode}`;
  return providerFailure(interaction.provider ?? 'unknown', content.errorCode, message);
}
