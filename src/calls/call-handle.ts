import type { CallHandle } from '../providers/voice-provider.port';
import type { Call } from './domain/call';

/** What a voice adapter needs to act on a stored call: our id, the provider's reference and its other refs. */
export function handleOf(call: Call): CallHandle {
  return { callId: call.interaction.id, providerRef: call.interaction.providerRef ?? '', refs: call.details.refs };
}
