import { CachedProbe, operationOf, outcomeOf } from './provider-calls';

describe('operationOf: one metric series per operation, not per call', () => {
  it.each([
    ['POST', 'https://api.twilio.com/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Calls.json', 'POST /Calls'],
    ['POST', 'https://api.twilio.com/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Calls/CA0123456789abcdef0123456789abcdef.json', 'POST /Calls/{id}'],
    ['get', 'https://api.twilio.com/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef.json', 'GET /'],
    ['POST', 'https://api.twilio.com/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Conferences/CF0123456789abcdef0123456789abcdef/Participants/CA0123456789abcdef0123456789abcdef.json', 'POST /Conferences/{id}/Participants/{id}'],
    ['PUT', 'https://jambonz.example.com/v1/Accounts/4f1b3a52-0000-4000-8000-000000000000/Calls/9a1b3a52-0000-4000-8000-000000000000', 'PUT /Calls/{id}'],
    ['POST', 'https://api.telnyx.com/v2/messages', 'POST /v2/messages'],
    ['GET', 'not a url at all ::', 'GET /not%20a%20url%20at%20all%20::'],
  ])('%s %s → %s', (method, url, operation) => expect(operationOf(method, url)).toBe(operation));
});

describe('outcomeOf', () => {
  it.each([[200, 'ok'], [302, 'ok'], [404, '4xx'], [429, '4xx'], [503, '5xx'], [undefined, 'network']] as const)('%s → %s', (status, outcome) => {
    expect(outcomeOf(status)).toBe(outcome);
  });
});

describe('CachedProbe', () => {
  it('asks once per ttl when up, a fifth as long when down, and shares a request in flight', async () => {
    let clock = 0;
    let calls = 0;
    let up = true;
    const probe = new CachedProbe(async () => { calls += 1; if (!up) throw new Error('down'); }, 1000, () => clock);
    await Promise.all([probe.check(), probe.check(), probe.check()]);
    expect(calls).toBe(1);
    clock = 999;
    await probe.check();
    expect(calls).toBe(1);
    up = false;
    clock = 1000;
    await expect(probe.check()).rejects.toThrow('down');
    expect(calls).toBe(2);
    clock = 1199;
    await expect(probe.check()).rejects.toThrow('down'); // cached failure
    expect(calls).toBe(2);
    up = true;
    clock = 1200;
    await probe.check();
    expect(calls).toBe(3);
  });
});
