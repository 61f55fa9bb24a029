import { capabilityOf } from './call-capability';
import type { CallCommand } from './call-state';

describe('capabilityOf', () => {
  it.each<[CallCommand, string | undefined]>([
    ['hangup', undefined], ['hold', 'hold'], ['resume', 'hold'], ['mute', 'mute'], ['unmute', 'mute'], ['dtmf', 'dtmf'], ['transfer', 'transfer'],
  ])('%s needs %s', (command, capability) => {
    expect(capabilityOf(command)).toBe(capability);
  });
});
