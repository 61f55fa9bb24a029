import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JwtService } from '../../src/common/auth/jwt.service';
import { spawnGateway, waitFor, type GatewayProcess } from '../support/gateway-process';
import { RawConnection, rawRequest, type RawAnswer } from '../support/raw-http';
import { EventClient } from '../support/ws-client';

/**
 * SIGTERM as an orchestrator sends it to `node dist/main.js`: what the gateway has taken in is
 * finished with its normal answer, nothing is reset, idle connections and WebSockets do not hold
 * the process, and it exits 0 whatever its standard output does.
 */
describe('stopping the gateway process', () => {
  const GRACE_MS = 10_000;
  let dir: string;
  let gateway: GatewayProcess | undefined;
  let secret: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'gateway-stop-'));
    secret = randomBytes(32).toString('hex');
  });
  afterEach(() => {
    gateway?.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  const start = async (): Promise<{ url: string; token: string }> => {
    gateway = spawnGateway({
      NODE_ENV: 'test', PORT: '0', LOG_LEVEL: 'info', JWT_SECRET: secret, DATABASE_URL: `sqlite:${join(dir, 'gateway.db')}`,
      SHUTDOWN_GRACE_MS: String(GRACE_MS),
    }, dir);
    const url = await gateway.url();
    const token = await new JwtService(secret).sign({ agentId: 'a1', tenantId: 'default', roles: ['agent'] }, 3600);
    return { url, token };
  };
  const createConversation = (token: string, n: number): string => rawRequest('POST', '/v1/conversations', {
    authorization: `Bearer ${token}`, 'content-type': 'application/json',
  }, JSON.stringify({ contact: { phone: `+1415555${String(n).padStart(4, '0')}` }, chat: { sessionId: `stop-${n}` } }));
  /** The exit code, or 'still running' when it has not exited well after the grace period. */
  const exitCode = (proc: GatewayProcess): Promise<number | null | 'still running'> =>
    Promise.race([proc.exited, new Promise<'still running'>((r) => setTimeout(() => r('still running'), GRACE_MS + 5000).unref())]);

  it('answers every request in flight at SIGTERM normally, resets none, and exits 0', async () => {
    const { url, token } = await start();
    const connections = await Promise.all(Array.from({ length: 200 }, () => RawConnection.open(url)));
    await Promise.all(connections.map((c, n) => c.write(createConversation(token, n))));
    gateway!.child.kill('SIGTERM');

    const outcomes = await Promise.all(connections.map((c) => c.next().then((a: RawAnswer) => a.status, (e: Error) => e.message)));
    expect(outcomes.filter((o) => o !== 201)).toEqual([]);
    expect(await exitCode(gateway!)).toBe(0);
    expect(gateway!.stdout()).toContain('"msg":"stopped"');
  });

  it('closes idle keep-alive connections and WebSockets, finishes a request still arriving, and exits 0', async () => {
    const { url, token } = await start();
    // Keep-alive connection that has been answered once and sits idle.
    const idle = await RawConnection.open(url);
    await idle.write(rawRequest('GET', '/health/live'));
    expect((await idle.next()).headers.connection).not.toBe('close');
    // A request whose headers have arrived and whose body is still on its way.
    const arriving = await RawConnection.open(url);
    const request = createConversation(token, 1);
    const half = request.length - 10;
    await arriving.write(request.slice(0, half));
    const socket = await EventClient.connect(url, token);

    gateway!.child.kill('SIGTERM');
    await waitFor(() => (gateway!.stdout().includes('shutting down') ? true : undefined), () => 'the shutdown log line');
    expect(await idle.ended).toBe('closed');
    expect(await socket.closedWith()).toEqual({ code: 1012, reason: expect.stringMatching(/^service restart/) });
    await arriving.write(request.slice(half));
    const answer = await arriving.next();
    expect(answer.status).toBe(201);
    expect(answer.headers.connection).toBe('close');
    expect(await arriving.ended).toBe('closed');
    expect(await exitCode(gateway!)).toBe(0);
    await expect(RawConnection.open(url)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('exits 0 when the reader of its standard output has gone away', async () => {
    await start();
    // As `node dist/main.js | sed -u '/shutting down/q'`: the reader closes the pipe as soon as it
    // has read that line, while the gateway is still logging its shutdown.
    const stdout = gateway!.child.stdout;
    stdout.on('data', (chunk: Buffer) => { if (chunk.toString().includes('shutting down')) stdout.destroy(); });
    gateway!.child.kill('SIGTERM');
    expect(await exitCode(gateway!)).toBe(0);
    expect(stdout.destroyed).toBe(true);
  });
});
