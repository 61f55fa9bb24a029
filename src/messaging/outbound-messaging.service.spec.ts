import { aContact, aConversation, memoryUnitOfWork, type MemoryUnitOfWork } from '../../test/support/memory-unit-of-work';
import { aPrincipal, aTenant, quietLogger, tenantsOf } from '../../test/support/service-doubles';
import { ErrorCode } from '../common/errors/domain-error';
import type { Contact } from '../contacts/domain/contact';
import type { ProviderRegistry } from '../providers/provider.registry';
import { ProviderError, type OutboundMessage, type SendResult, type SmsProvider } from '../providers/sms-provider.port';
import type { SmsStatusReport } from '../providers/sms-status';
import { OutboundMessagingService } from './outbound-messaging.service';

/** A provider that records what it was given and answers as told. */
function fakeProvider(answer: () => Promise<SendResult>): SmsProvider & { sent: OutboundMessage[] } {
  const sent: OutboundMessage[] = [];
  return {
    name: 'twilio', sent,
    send: async (message) => { sent.push(message); return answer(); },
    fetchMedia: () => undefined,
  } as SmsProvider & { sent: OutboundMessage[] };
}

describe('OutboundMessagingService', () => {
  let uow: MemoryUnitOfWork;
  let provider: ReturnType<typeof fakeProvider>;
  let service: OutboundMessagingService;
  let contact: Contact;
  let conversationId: string;
  const principal = aPrincipal();

  function build(answer: () => Promise<SendResult>): void {
    provider = fakeProvider(answer);
    const providers = {
      smsFor: () => provider, smsChainFor: () => [provider], standInSender: () => undefined,
      smsStatusCallbackUrl: (name: string, id: string) => `https://gateway.example/webhooks/${name}/sms/status?mid=${id}`,
    } as unknown as ProviderRegistry;
    service = new OutboundMessagingService(uow, tenantsOf(aTenant()), providers, quietLogger());
  }

  beforeEach(async () => {
    uow = memoryUnitOfWork();
    contact = aContact({ phone: '+14155550123' });
    uow.state.contacts.set(contact.id, contact);
    const conversation = aConversation(contact);
    conversationId = conversation.id;
    await uow.direct.conversations.insert(conversation);
  });

  describe('send', () => {
    it('records the message queued, hands it to the provider, then stores its id and announces queued then sent', async () => {
      build(async () => ({ providerRef: 'SM1', state: 'sent' }));

      const view = await service.send(principal, conversationId, { body: 'Hello' });

      expect(provider.sent).toEqual([expect.objectContaining({ interactionId: view.id, from: '+14155550000', to: '+14155550123', body: 'Hello', mediaUrls: [] })]);
      expect(view).toMatchObject({ state: 'sent', providerRef: 'SM1', body: 'Hello', segments: 1, encoding: 'GSM-7', error: null });
      expect(uow.emitted().map((e) => [e.type, e.interactionId, e.agentId])).toEqual([['sms.queued', view.id, 'alice'], ['sms.sent', view.id, 'alice']]);
      expect(uow.emitted('sms.queued')[0]!.data).toEqual({ to: '+14155550123', segments: 1, encoding: 'GSM-7', mediaCount: 0 });
      expect(uow.state.conversations.get(conversationId)!.lastActivityAt).not.toBe('2026-01-01T00:00:00.000Z');
    });

    it('records a provider refusal as failed, with its code, and announces sms.failed', async () => {
      build(async () => { throw new ProviderError('unreachable', '30003'); });

      const view = await service.send(principal, conversationId, { body: 'Hello' });

      expect(view).toMatchObject({ state: 'failed', providerRef: null, error: { code: '30003', message: 'unreachable' } });
      expect(uow.emitted().map((e) => e.type)).toEqual(['sms.queued', 'sms.failed']);
      expect(uow.emitted('sms.failed')[0]!.data).toEqual({ providerRef: null, errorCode: '30003', error: 'unreachable' });
    });

    describe('failover (a tenant listing two providers)', () => {
      let second: ReturnType<typeof fakeProvider>;

      function buildTwo(first: () => Promise<SendResult>): void {
        provider = fakeProvider(first);
        second = Object.assign(fakeProvider(async () => ({ providerRef: 'TX1', state: 'queued' })), { name: 'telnyx' });
        const providers = {
          smsChainFor: () => [provider, second], standInSender: () => undefined,
          smsStatusCallbackUrl: (name: string, id: string) => `https://gateway.example/webhooks/${name}/sms/status?mid=${id}`,
        } as unknown as ProviderRegistry;
        service = new OutboundMessagingService(uow, tenantsOf(aTenant()), providers, quietLogger());
      }

      it('hands a message the first could not take (retryable) to the second, once, and records both attempts', async () => {
        buildTwo(async () => { throw new ProviderError('twilio refused the message: Service Unavailable', '503', true); });

        const view = await service.send(principal, conversationId, { body: 'Hello' });

        expect(provider.sent).toHaveLength(1);
        expect(second.sent).toEqual([expect.objectContaining({ interactionId: view.id, statusCallbackUrl: expect.stringContaining('/webhooks/telnyx/') })]);
        expect(view).toMatchObject({ provider: 'telnyx', providerRef: 'TX1', state: 'queued', error: null, attempts: [
          { provider: 'twilio', error: 'twilio refused the message: Service Unavailable', code: '503' },
          { provider: 'telnyx', error: null, code: null },
        ] });
        expect(uow.state.interactions.size).toBe(1);
        expect(uow.emitted().map((e) => e.type)).toEqual(['sms.queued']);
      });

      it('never fails over on a refusal (4xx): the message fails at the first', async () => {
        buildTwo(async () => { throw new ProviderError('twilio refused the message: invalid To', '21211', false); });

        const view = await service.send(principal, conversationId, { body: 'Hello' });

        expect(second.sent).toEqual([]);
        expect(view).toMatchObject({ provider: 'twilio', state: 'failed', error: { code: '21211' }, attempts: [
          { provider: 'twilio', error: 'twilio refused the message: invalid To', code: '21211' },
        ] });
      });

      it('tries the second only once: when it fails too, the message fails with its error', async () => {
        buildTwo(async () => { throw new ProviderError('down', null, true); });
        second.send = async (m) => { second.sent.push(m); throw new ProviderError('also down', '500', true); };

        const view = await service.send(principal, conversationId, { body: 'Hello' });

        expect([provider.sent.length, second.sent.length]).toEqual([1, 1]);
        expect(view).toMatchObject({ provider: 'telnyx', state: 'failed', error: { code: '500', message: 'also down' }, attempts: [
          { provider: 'twilio', error: 'down', code: null }, { provider: 'telnyx', error: 'also down', code: '500' },
        ] });
      });
    });

    it('lets any other provider failure through, the message left queued', async () => {
      build(async () => { throw new TypeError('bug'); });
      await expect(service.send(principal, conversationId, { body: 'Hello' })).rejects.toThrow(TypeError);
      expect([...uow.state.interactions.values()].map((i) => i.state)).toEqual(['queued']);
    });

    it.each<[string, () => void, ErrorCode, string]>([
      ['a closed conversation', () => { uow.state.conversations.get(conversationId)!.status = 'closed'; }, ErrorCode.Conflict, 'the conversation is closed'],
      ['an opted-out contact', () => { uow.state.contacts.get(contact.id)!.optedOutAt = '2026-01-01T00:00:00.000Z'; }, ErrorCode.Unprocessable,
        'the contact opted out of SMS at 2026-01-01T00:00:00.000Z'],
      ['a contact without a phone', () => { uow.state.contacts.get(contact.id)!.phone = null; }, ErrorCode.Unprocessable, 'is required: the contact has no phone number'],
    ])('refuses %s: nothing stored, nothing announced, nothing sent', async (_name, arrange, code, message) => {
      build(async () => ({ providerRef: 'SM1', state: 'sent' }));
      arrange();
      const refused = await service.send(principal, conversationId, { body: 'Hello' }).catch((e: unknown) => e);
      expect(refused).toMatchObject({ code });
      expect(JSON.stringify(refused)).toContain(JSON.stringify(message).slice(1, -1));
      expect(uow.state.interactions.size).toBe(0);
      expect(uow.emitted()).toEqual([]);
      expect(provider.sent).toEqual([]);
    });

    it('refuses an unknown conversation with 404', async () => {
      build(async () => ({ providerRef: 'SM1', state: 'sent' }));
      await expect(service.send(principal, 'nope', { body: 'Hello' })).rejects.toMatchObject({ code: ErrorCode.NotFound });
    });
  });

  describe('applyStatus', () => {
    let interactionId: string;
    const report = (fields: Partial<SmsStatusReport>): SmsStatusReport => ({ provider: 'twilio', interactionId, state: 'delivered', ...fields });

    beforeEach(async () => {
      build(async () => ({ providerRef: 'SM1', state: 'sent' }));
      interactionId = (await service.send(principal, conversationId, { body: 'Hello' })).id;
    });

    it('moves the message forward and announces the new state', async () => {
      expect(await service.applyStatus(report({ providerRef: 'SM1' }))).toBe('applied');
      expect(uow.state.interactions.get(interactionId)).toMatchObject({ state: 'delivered', endedAt: expect.any(String) });
      expect(uow.emitted().at(-1)).toMatchObject({ type: 'sms.delivered', data: { providerRef: 'SM1', errorCode: null } });
    });

    it('is stale for a repeat or a step back, and announces nothing', async () => {
      await service.applyStatus(report({}));
      const announced = uow.emitted().length;
      expect(await service.applyStatus(report({}))).toBe('stale');
      expect(await service.applyStatus(report({ state: 'sent' }))).toBe('stale');
      expect(uow.emitted()).toHaveLength(announced);
    });

    it("is unknown for another provider's report, another message's provider id, or an id it does not know", async () => {
      expect(await service.applyStatus(report({ provider: 'jambonz' }))).toBe('unknown');
      expect(await service.applyStatus(report({ providerRef: 'SM-other' }))).toBe('unknown');
      expect(await service.applyStatus(report({ interactionId: 'nope' }))).toBe('unknown');
      expect(uow.state.interactions.get(interactionId)!.state).toBe('sent');
    });

    it("keeps the error a report carries on the message", async () => {
      await service.applyStatus(report({ state: 'undelivered', errorCode: '30005', errorMessage: 'unknown handset' }));
      expect(uow.state.messages.get(interactionId)).toMatchObject({ errorCode: '30005', errorMessage: 'unknown handset' });
      expect(uow.emitted().at(-1)).toMatchObject({ type: 'sms.undelivered', data: { errorCode: '30005', error: 'unknown handset' } });
    });
  });
});
