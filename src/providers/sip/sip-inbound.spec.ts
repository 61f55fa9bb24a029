import pino from 'pino';
import { quietLogger } from '../../../test/support/service-doubles';
import type { CallReport } from '../voice-provider.port';
import { SipInbound, sipUser, type InboundInvite, type InboundResponse } from './sip-inbound';

describe('sipUser', () => {
  it.each<[string | undefined, string | undefined]>([
    ['<sip:+14155550100@10.0.0.1:5060>', '+14155550100'],
    ['"Jo" <sip:+14155553901@trunk.example>;tag=abc', '+14155553901'],
    ['sip:alice@pbx.example;transport=tcp', 'alice'],
    ['<sips:%2B4420@host>', '+4420'],
    ['<tel:+14155550100>', undefined],
    [undefined, undefined],
  ])('%s → %s', (header, user) => {
    expect(sipUser(header)).toBe(user);
  });
});

describe('SipInbound', () => {
  const invite = (source: string, headers: Record<string, string>): InboundInvite & { cancel(): void } => {
    let onCancel = () => undefined as void;
    return {
      source_address: source, body: 'v=0', get: (name) => headers[name],
      on: (_event, listener) => { onCancel = listener; },
      cancel: () => onCancel(),
    };
  };
  const responses = () => {
    const sent: number[] = [];
    const res: InboundResponse = { send: (status) => void sent.push(status) };
    return { sent, res };
  };
  const HEADERS = { 'Call-ID': 'abc@trunk', From: '<sip:+14155553901@10.0.0.9>;tag=1', To: '<sip:+14155550100@gw>' };

  it('refuses any address but the trunk’s with 403 and logs it, without asking who owns the number', async () => {
    const asked: unknown[] = [];
    const logger = quietLogger();
    const inbound = new SipInbound(['10.0.0.9'], () => undefined, logger);
    inbound.accept(async (call) => { asked.push(call); return { kind: 'unknown-number' }; });
    const { sent, res } = responses();
    await inbound.onInvite(invite('10.0.0.66', HEADERS), res);
    expect(sent).toEqual([403]);
    expect(asked).toEqual([]);
    expect(logger.warnings).toEqual([[{ source: '10.0.0.66' }, 'INVITE from an address that is not the trunk refused (403)']]);
  });

  it.each<[string, 'unknown-number' | 'busy', number]>([['an unknown number', 'unknown-number', 404], ['a busy caller', 'busy', 486]])('answers %s (%s) with %i', async (_name, kind, status) => {
    const inbound = new SipInbound(['10.0.0.9'], () => undefined, pino({ level: 'silent' }));
    inbound.accept(async () => ({ kind }));
    const { sent, res } = responses();
    await inbound.onInvite(invite('10.0.0.9', HEADERS), res);
    expect(sent).toEqual([status]);
  });

  it('rings back an accepted caller, and a CANCEL while waiting gets 487 and ends the call canceled (once)', async () => {
    const reports: CallReport[] = [];
    const inbound = new SipInbound(['10.0.0.9'], (r) => void reports.push(r), pino({ level: 'silent' }));
    const calls: unknown[] = [];
    inbound.accept(async (call) => {
      calls.push(call);
      return { kind: 'accepted', callId: 'c1', conversationId: 'v1', duplicate: false, greeting: 'hi', holdMusicUrl: null };
    });
    const { sent, res } = responses();
    const req = invite('10.0.0.9', HEADERS);
    await inbound.onInvite(req, res);
    expect(calls).toEqual([{ provider: 'sip', providerRef: 'abc@trunk', from: '+14155553901', to: '+14155550100' }]);
    expect(sent).toEqual([180]);
    req.cancel();
    req.cancel();
    expect(sent).toEqual([180, 487]);
    expect(reports).toEqual([{ provider: 'sip', callId: 'c1', providerRef: 'abc@trunk', fact: { kind: 'ended', reason: 'canceled' } }]);
    await expect(inbound.connect('abc@trunk', 'sip:a@b', async () => { throw new Error('not reached'); })).rejects.toThrow('no longer waiting');
  });
});

describe('SipInbound while the agent’s device is being connected', () => {
  const accepted = async () => ({ kind: 'accepted' as const, callId: 'c1', conversationId: 'v1', duplicate: false, greeting: 'hi', holdMusicUrl: null });
  const HEADERS: Record<string, string> = { 'Call-ID': 'abc@trunk', From: '<sip:+14155553901@10.0.0.9>', To: '<sip:+14155550100@gw>' };

  function setup() {
    const reports: CallReport[] = [];
    const sent: number[] = [];
    let onCancel: () => void = () => undefined;
    const req: InboundInvite = { source_address: '10.0.0.9', body: 'v=0', get: (name) => HEADERS[name], on: (_e, listener) => { onCancel = listener; } };
    const inbound = new SipInbound(['10.0.0.9'], (r) => void reports.push(r), pino({ level: 'silent' }));
    inbound.accept(accepted);
    return { inbound, req, res: { send: (status: number) => void sent.push(status) }, sent, reports, cancel: () => onCancel() };
  }

  it('a device that refuses leaves the caller waiting, so another agent can be connected', async () => {
    const { inbound, req, res, sent } = setup();
    await inbound.onInvite(req, res);
    await expect(inbound.connect('abc@trunk', 'sip:a@pbx', async () => { throw Object.assign(new Error('busy'), { status: 486 }); })).rejects.toThrow('486');
    const legs = { uas: {} as never, uac: {} as never };
    await expect(inbound.connect('abc@trunk', 'sip:b@pbx', async () => legs)).resolves.toBe(legs);
    expect(sent).toEqual([180]);
  });

  it('a CANCEL while connecting ends the call once (the B2BUA answers the CANCEL), and the caller is not waiting any more', async () => {
    const { inbound, req, res, sent, reports, cancel } = setup();
    await inbound.onInvite(req, res);
    const connecting = inbound.connect('abc@trunk', 'sip:a@pbx', async () => {
      cancel();
      throw Object.assign(new Error('canceled'), { status: 487 });
    });
    await expect(connecting).rejects.toThrow();
    expect(sent).toEqual([180]);
    expect(reports.map((r) => r.fact)).toEqual([{ kind: 'ended', reason: 'canceled' }]);
    await expect(inbound.connect('abc@trunk', 'sip:b@pbx', async () => ({ uas: {} as never, uac: {} as never }))).rejects.toThrow('no longer waiting');
  });
});
