import { SignJWT } from 'jose';
import { startTestGateway, type TestGateway } from '../support/gateway';

describe('bearer authentication', () => {
  let gw: TestGateway;
  beforeAll(async () => { gw = await startTestGateway(); });
  afterAll(() => gw.close());

  const sign = (claims: Record<string, unknown>, secret = gw.config.auth.jwtSecret, exp: number | null = 3600, alg = 'HS256') => {
    const jwt = new SignJWT(claims).setProtectedHeader({ alg });
    if (exp !== null) jwt.setExpirationTime(Math.floor(Date.now() / 1000) + exp);
    return jwt.sign(new TextEncoder().encode(secret));
  };
  const good = { sub: 'a1', tenant: 'default', roles: ['agent'] };

  it('accepts a valid token', async () => {
    expect((await gw.request('GET', '/v1/conversations', { token: await sign(good) })).status).toBe(200);
  });

  it.each<[string, () => Promise<string | null>, string]>([
    ['no token', async () => null, 'a bearer token is required'],
    ['a token signed with another secret', () => sign(good, 'x'.repeat(64)), 'the token is invalid'],
    ['an expired token', () => sign(good, undefined, -60), 'the token has expired'],
    ['a token without exp', () => sign(good, undefined, null), 'the token is invalid'],
    ['an HS512 token', () => sign(good, undefined, 3600, 'HS512'), 'the token is invalid'],
    ['an unsigned token', async () => `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify(good)).toString('base64url')}.`, 'the token is invalid'],
    ['a token of an unknown tenant', () => sign({ ...good, tenant: 'nobody' }), 'the token names an unknown tenant'],
    ['a token without a roles claim', () => sign({ sub: 'a1', tenant: 'default' }), "the token's roles claim must be a list of role names"],
    ['a token whose roles are not a list', () => sign({ ...good, roles: 'agent' }), "the token's roles claim must be a list of role names"],
    ['a token without sub', () => sign({ tenant: 'default', roles: ['agent'] }), 'the token is invalid'],
    ['garbage', async () => 'not.a.jwt', 'the token is invalid'],
  ])('refuses %s with 401', async (_name, token, detail) => {
    const res = await gw.request('GET', '/v1/conversations', { token: await token() });
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ status: 401, detail });
  });

  // Authenticated but not authorised: the roles a route needs are in roles.e2e.spec.ts.
  it.each([[[]], [['root']]])('answers a token with roles %j 403, not 401', async (roles) => {
    const res = await gw.request('GET', '/v1/conversations', { token: await sign({ ...good, roles }) });
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ status: 403, detail: expect.stringContaining('needs one of the roles agent, supervisor, admin') });
  });

  it('keeps the known roles of a token that also carries unknown ones', async () => {
    expect((await gw.request('GET', '/v1/conversations', { token: await sign({ ...good, roles: ['agent', 'billing'] }) })).status).toBe(200);
  });

  it('refuses a Basic authorization header', async () => {
    const res = await gw.request('GET', '/v1/conversations', { token: null, headers: { authorization: 'Basic YTpi' } });
    expect(res.status).toBe(401);
  });
});
