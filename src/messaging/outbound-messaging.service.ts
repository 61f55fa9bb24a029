import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import type { Principal } from '../common/auth/principal';
import { DomainError, ErrorCode } from '../common/errors/domain-error';
import { newId, nowIso } from '../common/ids';
import { publicUrlProblem } from '../common/net/public-url';
import { LOGGER } from '../common/logging/logger.token';
import { requirePhone } from '../contacts/phone-input';
import type { Interaction } from '../conversations/domain/conversation';
import { ProviderRegistry } from '../providers/provider.registry';
import { ProviderError, type SmsProvider } from '../providers/sms-provider.port';
import type { SmsStatusReport } from '../providers/sms-status';
import { TenantsService } from '../tenants/tenants.service';
import { UnitOfWork } from '../unit-of-work/unit-of-work';
import { countSegments } from './domain/segments';
import { advance, isTerminal, type SmsState } from './domain/sms-state';
import { renderTemplate } from './domain/template';
import type { SendMessageDto } from './dto/send-message.dto';
import { messageView, type MessageView } from './message.view';


/** States whose arrival is announced as `sms.<state>` (contract §7). */
/**
 * The delivery reports announced, by the state they move a message to. `sending` is not announced;
 * `queued` is announced by the send itself (a report never moves a message back to it).
 */
const ANNOUNCED: Partial<Record<SmsState, 'sms.sent' | 'sms.delivered' | 'sms.undelivered' | 'sms.failed'>> = {
  sent: 'sms.sent', delivered: 'sms.delivered', undelivered: 'sms.undelivered', failed: 'sms.failed',
};

@Injectable()
export class OutboundMessagingService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly tenants: TenantsService,
    private readonly providers: ProviderRegistry,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** Records the message (queued), hands it to the provider, and records what the provider said. */
  async send(principal: Principal, conversationId: string, input: SendMessageDto): Promise<MessageView> {
    const tenant = this.tenants.get(principal.tenantId);
    const body = input.template ? renderTemplate(input.template.text, input.template.params ?? {}) : input.body ?? '';
    const mediaUrls = input.mediaUrls ?? [];
    // The provider fetches these from its own network: nothing private, local or credentialed.
    mediaUrls.forEach((url, n) => {
      const problem = publicUrlProblem(url);
      if (problem) throw DomainError.invalidField(`mediaUrls.${n}`, problem);
    });
    if (input.body !== undefined && input.template) throw DomainError.invalidField('template', 'cannot be sent together with body');
    if (input.body !== undefined && input.body.length > tenant.maxComposeLength) {
      throw DomainError.invalidField('body', `must be at most ${tenant.maxComposeLength} characters (this tenant's compose limit)`, ErrorCode.Unprocessable);
    }
    if (!body && mediaUrls.length === 0) throw DomainError.invalidField('body', 'is required unless mediaUrls are given');
    if (body.length > 1600) throw DomainError.invalidField('template', 'renders to more than 1600 characters', ErrorCode.Unprocessable);
    const provider = this.providers.smsFor(tenant, input.provider);
    const from = tenant.numbers[0] ?? this.providers.standInSender(provider.name);
    if (!from) throw DomainError.invalidField('tenant.numbers', 'the tenant has no number to send from', ErrorCode.Unprocessable);
    const { encoding, segments } = countSegments(body);
    const to = input.to === undefined ? undefined : requirePhone('to', input.to, tenant.defaultRegion);

    const interaction = await this.uow.run(async (w) => {
      const conversation = await w.conversations.findById(tenant.id, conversationId);
      if (!conversation) throw DomainError.notFound('conversation');
      if (conversation.status === 'closed') throw new DomainError(ErrorCode.Conflict, 'the conversation is closed');
      const contact = (await w.contacts.findById(tenant.id, conversation.contactId))!;
      if (contact.optedOutAt) {
        throw DomainError.invalidField('to', `the contact opted out of SMS at ${contact.optedOutAt}`, ErrorCode.Unprocessable);
      }
      const destination = to ?? contact.phone;
      if (!destination) throw DomainError.invalidField('to', 'is required: the contact has no phone number', ErrorCode.Unprocessable);
      const at = nowIso();
      const created: Interaction = {
        id: newId(), conversationId, channel: 'sms', direction: 'outbound', state: 'queued', provider: provider.name,
        providerRef: null, from, to: destination, origin: null, endReason: null, startedAt: at, endedAt: null, updatedAt: at,
      };
      await w.conversations.insertInteraction(tenant.id, created);
      await w.conversations.touch(tenant.id, conversationId, at);
      await w.messages.insert(tenant.id, { interactionId: created.id, body, segments, encoding, errorCode: null, errorMessage: null });
      await w.emit(tenant.id, [{
        type: 'sms.queued', conversationId, interactionId: created.id, agentId: conversation.agentId,
        data: { to: destination, segments, encoding, mediaCount: mediaUrls.length },
      }], at);
      return created;
    });

    await this.handOver(provider, interaction, body, mediaUrls);
    return this.view(tenant.id, interaction.id);
  }

  /** A delivery report from any provider (webhook or simulator): forward-only, idempotent. */
  async applyStatus(report: SmsStatusReport): Promise<'applied' | 'stale' | 'unknown'> {
    return this.uow.run(async (w) => {
      const { conversations } = w;
      const found = await conversations.findInteractionForCallback('sms', report.interactionId, report.providerRef);
      if (!found || found.interaction.provider !== report.provider || found.interaction.direction !== 'outbound') return 'unknown';
      const { tenantId, interaction } = found;
      if (interaction.providerRef && report.providerRef && interaction.providerRef !== report.providerRef) return 'unknown';
      const providerRef = interaction.providerRef ?? (report.answersSend ? report.providerRef ?? null : null);
      const step = advance(interaction.state as SmsState, report.state);
      const at = nowIso();
      if (!step.changed) {
        // The send's answer may come after a callback already moved the message on.
        if (providerRef !== interaction.providerRef) await conversations.updateInteraction(tenantId, { ...interaction, providerRef, updatedAt: at });
        return 'stale';
      }
      const ended = isTerminal(step.state);
      await conversations.touch(tenantId, interaction.conversationId, at);
      await conversations.updateInteraction(tenantId, {
        ...interaction, providerRef, state: step.state, updatedAt: at, endedAt: ended ? at : interaction.endedAt,
      });
      if (report.errorCode || report.errorMessage) {
        await w.messages.setError(tenantId, interaction.id, report.errorCode ?? null, report.errorMessage ?? null);
      }
      const announced = ANNOUNCED[step.state];
      if (announced) {
        const conversation = await conversations.findById(tenantId, interaction.conversationId);
        await w.emit(tenantId, [{
          type: announced, conversationId: interaction.conversationId, interactionId: interaction.id,
          agentId: conversation?.agentId ?? null,
          data: { providerRef, errorCode: report.errorCode ?? null, ...(report.errorMessage ? { error: report.errorMessage } : {}) },
        }], at);
      }
      return 'applied';
    });
  }

  async view(tenantId: string, interactionId: string): Promise<MessageView> {
    const { conversations, messages } = this.uow.direct;
    const interaction = await conversations.findInteraction(tenantId, interactionId);
    if (!interaction || interaction.channel !== 'sms') throw DomainError.notFound('message');
    const content = (await messages.find(tenantId, interactionId))!;
    return messageView(interaction, content, await messages.attachmentsOf(tenantId, interactionId));
  }

  private async handOver(provider: SmsProvider, interaction: Interaction, body: string, mediaUrls: string[]): Promise<void> {
    const statusCallbackUrl = this.providers.smsStatusCallbackUrl(provider.name, interaction.id);
    const report = { provider: provider.name, interactionId: interaction.id };
    try {
      const sent = await provider.send({ interactionId: interaction.id, from: interaction.from!, to: interaction.to!, body, mediaUrls, statusCallbackUrl });
      await this.applyStatus({ ...report, providerRef: sent.providerRef, state: sent.state, answersSend: true });
    } catch (error) {
      if (!(error instanceof ProviderError)) throw error;
      this.logger.warn({ ...report, code: error.code }, 'provider refused a message');
      await this.applyStatus({ ...report, state: 'failed', errorCode: error.code, errorMessage: error.message });
    }
  }
}
