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
import type { TenantSettings } from '../tenants/tenant';
import { TenantsService } from '../tenants/tenants.service';
import { failsOver, type ProviderAttempt } from '../failover/domain/failover';
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
    // In failover order (failover/domain): the message is recorded as the first's, and moves to the
    // next only when the first certainly did not take it.
    const chain = this.providers.smsChainFor(tenant, input.provider);
    const provider = chain[0]!;
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

    await this.handOver(chain, tenant, interaction, body, mediaUrls);
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

  /**
   * Hands the message to the first provider of the chain and records what it said. A failure the
   * provider marks retryable (it did not take the message: no answer, 5xx) moves the message to the
   * next provider, once; a refusal (4xx) or an answer is final. The message is one row throughout,
   * and only the provider that took it can report on it (applyStatus checks the provider), so a
   * failover never produces a second message. With more than one provider the attempts are kept.
   */
  private async handOver(chain: SmsProvider[], tenant: TenantSettings, interaction: Interaction, body: string, mediaUrls: string[]): Promise<void> {
    const attempts: ProviderAttempt[] = [];
    const keep = async () => {
      if (chain.length > 1) await this.uow.run((w) => w.messages.setAttempts(tenant.id, interaction.id, attempts));
    };
    let current = interaction;
    for (const provider of chain) {
      if (attempts.length > 0) current = await this.moveTo(tenant, current, provider, attempts);
      const statusCallbackUrl = this.providers.smsStatusCallbackUrl(provider.name, current.id);
      const report = { provider: provider.name, interactionId: current.id };
      try {
        const sent = await provider.send({ interactionId: current.id, from: current.from!, to: current.to!, body, mediaUrls, statusCallbackUrl });
        attempts.push({ provider: provider.name, error: null, code: null });
        await keep();
        await this.applyStatus({ ...report, providerRef: sent.providerRef, state: sent.state, answersSend: true });
        return;
      } catch (error) {
        if (!(error instanceof ProviderError)) throw error;
        attempts.push({ provider: provider.name, error: error.message, code: error.code });
        const next = chain[attempts.length];
        if (next && failsOver(error, attempts.length, chain.length) && this.senderFor(tenant, next)) {
          this.logger.warn({ ...report, code: error.code, next: next.name }, 'provider could not take a message; failing over');
          continue;
        }
        this.logger.warn({ ...report, code: error.code }, 'provider refused a message');
        await keep();
        await this.applyStatus({ ...report, state: 'failed', errorCode: error.code, errorMessage: error.message });
        return;
      }
    }
  }

  /** The message now goes through `provider` (sent from a number it owns when the tenant says which). */
  private async moveTo(tenant: TenantSettings, interaction: Interaction, provider: SmsProvider, attempts: ProviderAttempt[]): Promise<Interaction> {
    const moved: Interaction = { ...interaction, provider: provider.name, from: this.senderFor(tenant, provider)!, updatedAt: nowIso() };
    await this.uow.run(async (w) => {
      await w.conversations.updateInteraction(tenant.id, moved);
      await w.messages.setAttempts(tenant.id, interaction.id, attempts);
    });
    return moved;
  }

  /** A failover provider sends from a number the tenant says it owns, else from the tenant's first. */
  private senderFor(tenant: TenantSettings, provider: SmsProvider): string | undefined {
    const owned = tenant.numbers.find((number) => tenant.numberProviders?.get(number) === provider.name);
    return owned ?? tenant.numbers[0] ?? this.providers.standInSender(provider.name);
  }
}
