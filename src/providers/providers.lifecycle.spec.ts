import type { HealthService } from '../health/health.service';
import type { ProviderRegistry } from './provider.registry';
import { ProvidersLifecycle } from './providers.lifecycle';
import type { SmsProvider, SmsStatusReceiver } from './sms-provider.port';
import type { SmsStatusSink } from './sms-status';
import type { CallCallbackReceiver, CallReportSink, VoiceProvider } from './voice-provider.port';

function voice(name: string) {
  const adapter = { name, sink: undefined as CallReportSink | undefined, closed: 0, connect(sink: CallReportSink) { adapter.sink = sink; }, check: async () => undefined, async close() { adapter.closed++; } };
  return adapter;
}

describe('ProvidersLifecycle', () => {
  const twilio = voice('twilio');
  const sip = voice('sip');
  const simulatorVoice = voice('simulator');
  const simulatorSms = { name: 'simulator', sink: undefined as SmsStatusSink | undefined, closed: 0, connect(sink: SmsStatusSink) { simulatorSms.sink = sink; }, close() { simulatorSms.closed++; } };
  const twilioSms = { name: 'twilio' }; // reports through its webhooks: no connect, no close
  const registry = {
    smsProviders: () => [twilioSms, simulatorSms] as unknown as SmsProvider[],
    voiceProviders: () => [twilio, sip, simulatorVoice] as unknown as VoiceProvider[],
    readinessChecks: () => [['voice:twilio', twilio.check], ['voice:sip', sip.check]],
  } as unknown as ProviderRegistry;
  const registered: string[] = [];
  const health = { register: (name: string) => registered.push(name) } as unknown as HealthService;
  const reports: unknown[] = [];
  const statuses: unknown[] = [];
  const calls = { report: async (r: unknown) => { reports.push(r); return 'applied'; } } as unknown as CallCallbackReceiver;
  const messages = { applyStatus: async (r: unknown) => { statuses.push(r); return 'applied'; } } as unknown as SmsStatusReceiver;
  const lifecycle = new ProvidersLifecycle(registry, health, calls, messages);

  it('connects the adapters that report by themselves to the services, and registers the readiness checks', async () => {
    lifecycle.onModuleInit();
    expect(registered).toEqual(['voice:twilio', 'voice:sip']);
    await sip.sink!({ provider: 'sip', callId: 'c1', providerRef: 'r', fact: { kind: 'ringing' } as never });
    await simulatorSms.sink!({ provider: 'simulator', interactionId: 'm1', state: 'delivered' });
    expect(reports).toEqual([expect.objectContaining({ provider: 'sip', callId: 'c1' })]);
    expect(statuses).toEqual([expect.objectContaining({ provider: 'simulator', interactionId: 'm1' })]);
  });

  it('closes every adapter that has something to close on shutdown', async () => {
    await lifecycle.onApplicationShutdown();
    expect([twilio.closed, sip.closed, simulatorVoice.closed, simulatorSms.closed]).toEqual([1, 1, 1, 1]);
  });
});
