import type { InboundFacts } from './conversations.repository';
import type { Channel } from './domain/conversation';
import type { Repositories } from '../unit-of-work/unit-of-work';

/**
 * What an inbound message or call needs first: whether the provider's reference is stored (a
 * retry), the sender's contact and their open conversation. With a phone number that is one
 * statement; a sender without one (an unparseable `From`) is looked up by `externalId`.
 */
export async function senderFacts(
  r: Pick<Repositories, 'conversations' | 'contacts'>,
  tenantId: string,
  channel: Channel,
  providerRef: string,
  phone: string | null,
  externalId: string,
): Promise<InboundFacts> {
  if (phone) return r.conversations.inboundFacts(tenantId, channel, providerRef, phone);
  const seen = await r.conversations.findInteractionByRef(tenantId, channel, providerRef);
  if (seen) return { seen: { id: seen.id, conversationId: seen.conversationId } };
  const contact = await r.contacts.findByKeys(tenantId, { externalId });
  const open = contact && (await r.conversations.findOpenOfContact(tenantId, contact.id));
  return { ...(contact ? { contact } : {}), ...(open ? { open } : {}) };
}
