import type { ProviderDescriptor } from '../provider-descriptor';
import { SimulatorSmsProvider } from './simulator.sms';
import { SimulatorVoiceProvider } from './simulator.voice';

/**
 * The built-in stand-in for a real provider (demos, tests, the console). Always available, and
 * the default of a channel only when no real provider of it is configured.
 */
export const simulator: ProviderDescriptor<'simulator', 'sms' | 'voice'> = {
  name: 'simulator',
  channels: ['sms', 'voice'],
  create: () => ({ sms: new SimulatorSmsProvider(), voice: new SimulatorVoiceProvider() }),
  capabilities: { hold: true, mute: true, dtmf: true, transfer: true, consult: true, conference: true, supervise: true, record: true, liveAudio: true },
  // No route takes these (the simulator reports by itself); the URL is kept as it always was.
  smsStatusCallbackUrl: (callbacks, interactionId) => callbacks.url('/webhooks/simulator/sms/status', { mid: interactionId }),
  fallback: true,
  // A fake sender (555-01xx is reserved for fiction) where no one sees it.
  standInSender: '+15550100000',
};
