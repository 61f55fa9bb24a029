import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { DomainError } from '../common/errors/domain-error';
import { newId, nowIso } from '../common/ids';
import { LOGGER } from '../common/logging/logger.token';
import { toE164 } from '../common/phone/phone';
import { createContact } from '../contacts/contact-resolver';
import { senderFacts } from '../conversations/sender-facts';
import type { Contact } from '../contacts/domain/contact';
import { contactView } from '../contacts/contact.view';
import type { Interaction, NewEvent } from '../conversations/domain/conversation';
import { openConversation, reopen } from '../conversations/domain/conversation-state';
import { ProviderRegistry } from '../providers/provider.registry';
import { InboundRouter } from '../routing/inbound-router.service';
import type { InboundMessage } from '../providers/sms-provider.port';
import { TenantsService } from '../tenants/tenants.service';
import { UnitOfWork, type ContactsStore } from '../unit-of-work/unit-of-work';
import type { Attachment } from './domain/message';
import { classifyKeyword } from './domain/opt-out';
import { countSegments } from './domain/segments';

export interface InboundResult {
  duplicate: boolean;
  interactionId: string;
  conversationId: string;
}

/**
 * A customer's message: joins the contact's open conversation in the tenant owning the `To`
 * number, or opens one. Stored with its events in one transaction before the webhook is
 * answered; a provider retry of the same message id changes nothing.
 */
@Injectable()
export class InboundMessagingService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly tenants: TenantsService,
    private readonly providers: ProviderRegistry,
    private readonly router: InboundRouter,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async receive(message: InboundMessage): Promise<InboundResult> {
    const to = toE164(message.to, 'US') ?? message.to;
    const tenant = this.tenants.ownerOf(to);
    if (!tenant) throw DomainError.notFound(`a tenant owning ${to}`);
    const phone = toE164(message.from, tenant.defaultRegion);
    const result = await this.uow.run(async (w) => {
      const { conversations, contacts, messages } = w;
      const { seen, contact: known, open } = await senderFacts(w, tenant.id, 'sms', message.providerRef, phone, `sms:${message.from}`);
      if (seen) return { duplicate: true, interactionId: seen.id, conversationId: seen.conversationId, attachments: [] };

      const at = nowIso();
      const contact = known ?? (await createContact(contacts, tenant.id, phone ? { phone } : { externalId: `sms:${message.from}` }, at));
      const events: NewEvent[] = [];
      let conversation = open;
      // With none open, the tenant's routing picks the agent (a returning customer's, if online) or the queue.
      const route = await this.router.decide(w, tenant, contact.id, conversation, at);
      // Joining an open conversation unchanged: it is touched with the interaction's insert (one statement on PostgreSQL).
      let touch: { at: string } | undefined;
      if (!conversation || route.kind === 'open') {
        const opened = openConversation({
          id: newId(), tenantId: tenant.id, contactId: contact.id, agentId: route.kind === 'open' ? route.agentId : null, context: null,
        }, at, { channel: 'sms', via: route.kind === 'open' ? route.via : 'queue' });
        conversation = opened.conversation;
        await conversations.insert(conversation);
        events.push({ ...opened.event, data: { ...opened.event.data, contact: contactView(contact) } });
      } else {
        const reopened = reopen(conversation, at);
        if (reopened.changed) {
          conversation = reopened.conversation;
          await conversations.update(conversation);
          events.push(...reopened.events);
        } else {
          touch = { at };
        }
      }
      const interaction: Interaction = {
        id: newId(), conversationId: conversation.id, channel: 'sms', direction: 'inbound', state: 'received',
        provider: message.provider, providerRef: message.providerRef, from: phone ?? message.from, to,
        origin: null, endReason: null, startedAt: at, endedAt: at, updatedAt: at,
      };
      await conversations.insertInteraction(tenant.id, interaction, touch);
      const { segments, encoding } = countSegments(message.body);
      await messages.insert(tenant.id, { interactionId: interaction.id, body: message.body, segments, encoding, errorCode: null, errorMessage: null });
      const attachments: Attachment[] = message.media.map((m) => ({
        id: newId(), interactionId: interaction.id, provider: message.provider, url: m.url, contentType: m.contentType, size: m.size ?? null, createdAt: at,
      }));
      await messages.insertAttachments(tenant.id, attachments);
      events.push({
        type: 'sms.received', conversationId: conversation.id, interactionId: interaction.id,
        data: {
          from: phone ?? message.from, to, body: message.body, segments, encoding, mediaCount: attachments.length,
          attachments: attachments.map((a) => ({ id: a.id, contentType: a.contentType, href: `/v1/attachments/${a.id}` })),
        },
      });
      events.push(...(await this.optInOrOut(contacts, contact, message.body, at)).map((e) => ({ ...e, conversationId: conversation!.id })));
      await w.emit(tenant.id, events.map((e) => ({ agentId: conversation!.agentId, ...e })), at);
      return { duplicate: false, interactionId: interaction.id, conversationId: conversation.id, attachments };
    });
    for (const attachment of result.attachments) if (attachment.size === null) void this.measure(tenant.id, attachment);
    return { duplicate: result.duplicate, interactionId: result.interactionId, conversationId: result.conversationId };
  }

  /** STOP-style keywords opt the contact out, START-style back in (once; repeats change nothing). */
  private async optInOrOut(contacts: ContactsStore, contact: Contact, body: string, at: string): Promise<NewEvent[]> {
    const keyword = classifyKeyword(body);
    if (keyword === 'opt-out' && !contact.optedOutAt) {
      await contacts.update(contact.tenantId, contact.id, { optedOutAt: at, updatedAt: at });
      return [{ type: 'contact.opted_out', conversationId: null, data: { contactId: contact.id, keyword: body.trim() } }];
    }
    if (keyword === 'opt-in' && contact.optedOutAt) {
      await contacts.update(contact.tenantId, contact.id, { optedOutAt: null, updatedAt: at });
      return [{ type: 'contact.opted_in', conversationId: null, data: { contactId: contact.id, keyword: body.trim() } }];
    }
    return [];
  }

  /** Learns an attachment's size from the provider after the webhook was answered. */
  private async measure(tenantId: string, attachment: Attachment): Promise<void> {
    try {
      const response = await this.providers.smsByName(attachment.provider, tenantId)?.fetchMedia(attachment.url, 'HEAD');
      const size = Number(response?.headers.get('content-length'));
      if (response?.ok && Number.isFinite(size) && size >= 0) {
        await this.uow.direct.messages.setAttachmentSize(tenantId, attachment.id, size);
      }
    } catch (error) {
      this.logger.info({ attachmentId: attachment.id, err: error instanceof Error ? error.message : String(error) }, 'attachment size not known yet');
    }
  }
}
