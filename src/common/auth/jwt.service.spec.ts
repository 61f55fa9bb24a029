import { DomainError } from '../errors/domain-error';
import { JwtService, VERIFIED_TOKENS_KEPT } from './jwt.service';

const SECRET = 'a'.repeat(48);

async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    return (error as DomainError).message;
  }
  throw new Error('the token was accepted');
}

describe('JwtService (verified tokens are remembered until they expire)', () => {
  afterEach(() => jest.useRealTimers());

  it('answers a token seen before with the same principal, as a copy the caller may change', async () => {
    const jwt = new JwtService(SECRET);
    const token = await jwt.sign({ agentId: 'ann', tenantId: 'acme', roles: ['agent'] }, 60);
    const first = await jwt.verify(token);
    first.roles.push('admin');
    first.agentId = 'changed';
    const second = await jwt.verify(token);
    expect(second).toMatchObject({ agentId: 'ann', tenantId: 'acme', roles: ['agent'], pii: false });
    expect(second.expiresAt).toBe(first.expiresAt);
  });

  it('refuses a remembered token once it has expired', async () => {
    jest.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') });
    const jwt = new JwtService(SECRET);
    const token = await jwt.sign({ agentId: 'ann', tenantId: 'acme', roles: ['agent'] }, 2);
    await expect(jwt.verify(token)).resolves.toMatchObject({ agentId: 'ann' });
    jest.setSystemTime(new Date('2026-01-01T00:00:01.999Z'));
    await expect(jwt.verify(token)).resolves.toMatchObject({ agentId: 'ann' });
    jest.setSystemTime(new Date('2026-01-01T00:00:02Z'));
    expect(await refusal(jwt.verify(token))).toBe('the token has expired');
    expect(await refusal(jwt.verify(token))).toBe('the token has expired');
  });

  it('still checks a token that differs from a remembered one, and one signed with another secret', async () => {
    const jwt = new JwtService(SECRET);
    const token = await jwt.sign({ agentId: 'ann', tenantId: 'acme', roles: ['agent'] }, 60);
    await jwt.verify(token);
    const [header, payload, signature] = token.split('.');
    const forgedPayload = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), roles: ['admin'] }))
      .toString('base64url');
    expect(await refusal(jwt.verify(`${header}.${forgedPayload}.${signature}`))).toBe('the token is invalid');
    const other = await new JwtService('b'.repeat(48)).sign({ agentId: 'ann', tenantId: 'acme', roles: ['admin'] }, 60);
    expect(await refusal(jwt.verify(other))).toBe('the token is invalid');
  });

  it('keeps a bounded number of tokens and still verifies those it let go', async () => {
    const jwt = new JwtService(SECRET);
    const first = await jwt.sign({ agentId: 'agent-0', tenantId: 'acme', roles: ['agent'] }, 60);
    await jwt.verify(first);
    for (let i = 1; i <= VERIFIED_TOKENS_KEPT; i++) {
      await jwt.verify(await jwt.sign({ agentId: `agent-${i}`, tenantId: 'acme', roles: ['agent'] }, 60));
    }
    expect((jwt as unknown as { verified: Map<string, unknown> }).verified.size).toBe(VERIFIED_TOKENS_KEPT);
    expect((jwt as unknown as { verified: Map<string, unknown> }).verified.has(first)).toBe(false);
    await expect(jwt.verify(first)).resolves.toMatchObject({ agentId: 'agent-0' });
  });
});
