import { interactionView, type InteractionView } from '../conversations/conversation.view';
import type { Interaction } from '../conversations/domain/conversation';
import type { Attachment, MessageContent } from './domain/message';
import type { ProviderAttempt } from '../failover/domain/failover';

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
    error: content.errorCode || content.errorMessage ? { code: content.errorCode, message: content.errorMessage } : null,
    attempts: content.attempts ?? [],
    attachments: attachments.map(attachmentView),
  };
}
