import type { CallCommand } from './call-state';

/** What a provider must be able to do for an agent's command; a hangup every provider can do. */
export type CommandCapability = 'hold' | 'mute' | 'dtmf' | 'transfer';

export function capabilityOf(command: CallCommand): CommandCapability | undefined {
  switch (command) {
    case 'hangup': return undefined;
    case 'hold': case 'resume': return 'hold';
    case 'mute': case 'unmute': return 'mute';
    case 'dtmf': return 'dtmf';
    case 'transfer': return 'transfer';
  }
}
