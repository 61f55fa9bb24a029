import type { Role } from '../../../common/auth/principal';
import { grantRefusal, keyAgentId, type KeyGrant } from './api-key-grant';

describe('grantRefusal: what an admin may put in a key', () => {
  it.each<[string, Role[], KeyGrant, [string, string] | undefined]>([
    ['an admin key from an admin', ['admin'], { roles: ['admin'] }, undefined],
    ['a supervisor key from an admin holding supervisor', ['admin', 'supervisor'], { roles: ['supervisor'] }, undefined],
    ['a supervisor key from an admin only', ['admin'], { roles: ['supervisor'] },
      ['roles', "may not exceed the creator's roles (admin); supervisor is not among them"]],
    ['an agent key without the agent', ['admin', 'agent'], { roles: ['agent'] },
      ['agentId', 'is required for a key with the agent role: the agent the key acts as']],
    ['an agent key naming the agent', ['admin', 'agent'], { roles: ['agent'], agentId: 'bot-1' }, undefined],
    ['an admin key naming an agent', ['admin'], { roles: ['admin'], agentId: 'ops' }, undefined],
    ['an agent id posing as a key', ['admin'], { roles: ['admin'], agentId: 'apikey:0123' }, ['agentId', 'may not start with apikey:']],
  ])('%s', (_name, creator, grant, refusal) => {
    expect(grantRefusal(creator, grant)).toEqual(refusal);
  });

  it('names a caller after the agent the key names, else after the key', () => {
    expect(keyAgentId('0123456789abcdef', 'bot-1')).toBe('bot-1');
    expect(keyAgentId('0123456789abcdef', null)).toBe('apikey:0123456789abcdef');
  });
});
