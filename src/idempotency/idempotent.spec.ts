import type { FastifyReply } from 'fastify';
import { memoryUnitOfWork } from '../../test/support/memory-unit-of-work';
import type { Principal } from '../common/auth/principal';
import { ErrorCode } from '../common/errors/domain-error';
import type { AppConfig } from '../config/config.schema';
import { answerOnce, Idempotent, isIdempotent } from './idempotent';
import { IdempotencyService } from './idempotency.service';

describe('answerOnce', () => {
  const principal: Principal = { agentId: 'alice', tenantId: 'acme', roles: ['agent'], pii: false };
  /** What Fastify hands a handler: the reply, its request (with the caller the guard set), the route's options. */
  function reply(headers: Record<string, string>, body: unknown = { to: '+447966197542' }, declared = true) {
    const sent: { status: number; headers: Record<string, string> } = { status: 201, headers: {} };
    const request = {
      method: 'POST', url: '/v1/conversations', body, headers, principal,
      routeOptions: { url: '/v1/conversations', config: declared ? { idempotent: true } : {} },
    };
    const fake = {
      request,
      get statusCode() { return sent.status; },
      status(code: number) { sent.status = code; return fake; },
      header(name: string, value: string) { sent.headers[name] = value; return fake; },
    };
    return { reply: fake as unknown as FastifyReply, sent };
  }
  let service: IdempotencyService;
  let runs: number;
  const work = async () => ({ id: `c${++runs}` });
  beforeEach(() => {
    service = new IdempotencyService(memoryUnitOfWork(), { idempotency: { ttlHours: 24 } } as AppConfig);
    runs = 0;
  });

  it('runs the work once per key and replays its first answer, status and all, marked as a replay', async () => {
    const first = reply({ 'idempotency-key': 'k1' });
    expect(await answerOnce(service, first.reply, work)).toEqual({ id: 'c1' });
    const again = reply({ 'idempotency-key': 'k1' });
    again.sent.status = 200; // whatever the route's default, the replay answers the first status
    expect(await answerOnce(service, again.reply, work)).toEqual({ id: 'c1' });
    expect(again.sent).toEqual({ status: 201, headers: { 'idempotent-replayed': 'true' } });
    expect(runs).toBe(1);
  });

  it('runs every request without the header, and refuses the key with another body (422)', async () => {
    await answerOnce(service, reply({}).reply, work);
    await answerOnce(service, reply({}).reply, work);
    expect(runs).toBe(2);
    await answerOnce(service, reply({ 'idempotency-key': 'k2' }, { a: 1 }).reply, work);
    await expect(answerOnce(service, reply({ 'idempotency-key': 'k2' }, { a: 2 }).reply, work)).rejects.toMatchObject({ code: ErrorCode.IdempotencyMismatch });
  });

  it('frees the key of a failed request for its retry', async () => {
    await expect(answerOnce(service, reply({ 'idempotency-key': 'k3' }).reply, async () => { throw new Error('provider down'); })).rejects.toThrow('provider down');
    expect(await answerOnce(service, reply({ 'idempotency-key': 'k3' }).reply, work)).toEqual({ id: 'c1' });
  });

  it('refuses a key that is not 1 to 200 visible ASCII characters (400), before any work', async () => {
    await expect(answerOnce(service, reply({ 'idempotency-key': 'two words' }).reply, work)).rejects.toMatchObject({ code: ErrorCode.ValidationFailed });
    expect(runs).toBe(0);
  });

  it('refuses to run on a route not declared @Idempotent() (the API document would not list the header)', async () => {
    await expect(answerOnce(service, reply({}, {}, false).reply, work)).rejects.toThrow(/not declared @Idempotent\(\)/);
  });

  it('marks a declared handler for the API document', () => {
    class Controller {
      @Idempotent() create(): void {}
      update(): void {}
    }
    expect(isIdempotent(Controller.prototype.create)).toBe(true);
    expect(isIdempotent(Controller.prototype.update)).toBe(false);
  });
});
