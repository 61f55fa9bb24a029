import 'reflect-metadata';
import { JwtService } from './common/auth/jwt.service';
import { createLogger } from './common/logging/logger';
import { releaseLogs, stdoutDestination } from './common/logging/log-destination';
import { ConfigError, loadConfig } from './config/config.loader';
import { settleSecrets } from './config/runtime';
import { startGateway } from './bootstrap';
import { DEFAULT_TENANT_ID } from './tenants/tenants.service';

const DEV_TOKEN_TTL_SECONDS = 30 * 24 * 3600;
/** How long exiting waits for the last log lines to be written to standard output. */
const LOG_RELEASE_MS = 500;

const ignore = (): void => undefined;

async function main(): Promise<void> {
  let runtime;
  try {
    runtime = settleSecrets(loadConfig({ env: process.env }));
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
  const { config } = runtime;
  // A reader that went away (`| head`, a log shipper restarting) must not crash or hang the
  // gateway: EPIPE on the standard streams is ignored, and exiting never waits for a log line.
  process.stdout.on('error', ignore);
  process.stderr.on('error', ignore);
  const destination = stdoutDestination();
  const logger = createLogger(config.log.level, destination);
  let exiting = false;
  const exit = (code: number): void => {
    if (exiting) return;
    exiting = true;
    void releaseLogs(destination, LOG_RELEASE_MS).finally(() => process.exit(code));
  };
  let gateway;
  try {
    gateway = await startGateway(config, logger);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`); // found once tenants and providers are known (BootSummaryService)
    return exit(78);
  }
  const { url } = gateway;
  logger.info({ url, env: config.env }, 'gateway listening');

  if (runtime.devSecret) {
    const token = await new JwtService(config.auth.jwtSecret).sign(
      { agentId: 'dev-agent', tenantId: DEFAULT_TENANT_ID, roles: ['agent', 'supervisor', 'admin'] },
      DEV_TOKEN_TTL_SECONDS,
    );
    process.stdout.write(
      `\nDevelopment token for tenant "${DEFAULT_TENANT_ID}" (valid 30 days; JWT_SECRET is unset, so a secret was kept in ${config.auth.devSecretFile}):\n\n` +
      `  export TOKEN=${token}\n  curl -H "Authorization: Bearer $TOKEN" ${url}/v1/conversations\n\n`,
    );
  }

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: no new work, finishing requests in flight');
    const force = setTimeout(() => {
      if (exiting) return;
      logger.error({ graceMs: config.shutdown.graceMs }, 'shutdown grace period over; exiting');
      exit(1);
    }, config.shutdown.graceMs);
    force.unref();
    gateway.stop().then(
      () => { clearTimeout(force); logger.info('stopped'); exit(0); },
      (error: unknown) => { logger.error({ err: error }, 'shutdown failed'); exit(1); },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((error: unknown) => {
  process.stderr.write(`gateway failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
