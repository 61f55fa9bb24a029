import type { InboundFacts } from './conversations.repository';
import type { Channel } from './domain/conversation';
import type { Repositories } from '../unit-of-work/unit-of-work';

/**
 * What an inbound message or call needs first: whether the provider's reference is stored (a
 * retry), the sender's contact (by phone number, else by `externalId`) and their open
 * conversation. One statement where the store does better that way (PostgreSQL), else three
 * lookups; the same facts either way.
 */
export async function senderFacts(
  r: Pick<Repositories, 'conversations' | 'contacts'>,
  tenantId: string,
  channel: Channel,
  providerRef: string,
  phone: string | null,
  externalId: string,
): Promise<InboundFacts> {
  const joined = phone ? await r.conversations.joinedInboundFacts(tenantId, channel, providerRef, phone) : undefined;
  if (joined) return joined;
  const seen = await r.conversations.findInteractionByRef(tenantId, channel, providerRef);
  const contact = await r.contacts.findByKeys(tenantId, phone ? { phone } : { externalId });
  const open = contact && (await r.conversations.findOpenOfContact(tenantId, contact.id));
  return {
    ...(seen ? { seen: { id: seen.id, conversationId: seen.conversationId } } : {}),
    ...(contact ? { contact } : {}),
    ...(open ? { open } : {}),
  };
}
