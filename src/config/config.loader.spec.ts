import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from './config.loader';
import { settleSecrets } from './runtime';

const load = (env: Record<string, string>) => loadConfig({ env });

describe('loadConfig', () => {
  it('reads the embedded defaults: SQLite under ./data, port 3000, one default tenant', () => {
    const config = load({});
    expect(config.env).toBe('development');
    expect(config.database.url).toBe('sqlite:./data/gateway.db');
    expect(config.http.port).toBe(3000);
    expect(config.tenants).toBeUndefined();
    expect(config.providers.twilio.apiBaseUrl).toBe('https://api.twilio.com');
  });

  it('lays <NODE_ENV>.yaml and then the environment over the defaults', () => {
    const config = load({ NODE_ENV: 'test', PORT: '8080', DATABASE_URL: 'postgres://gw@db:5432/gw', DRACHTIO_PORT: '9023' });
    expect(config.env).toBe('test');
    expect(config.log.level).toBe('silent');
    expect(config.http.port).toBe(8080);
    expect(config.database.url).toBe('postgres://gw@db:5432/gw');
    expect(config.providers.drachtio.port).toBe(9023);
  });

  it.each([
    [{ PORT: 'abc' }, 'Invalid configuration: PORT (http.port) must be an integer number, got "abc"'],
    [{ PORT: '70000' }, 'Invalid configuration: PORT (http.port) must not be greater than 65535, got "70000"'],
    [{ DATABASE_URL: 'mysql://x' }, 'Invalid configuration: DATABASE_URL (database.url) must be sqlite:<path> or postgres://user@host:port/db, got "mysql://x"'],
    [{ PUBLIC_BASE_URL: 'example.com' }, 'Invalid configuration: PUBLIC_BASE_URL (http.publicBaseUrl) must be an absolute http(s) URL, got "example.com"'],
    [{ REDIS_URL: 'localhost:6379' }, 'Invalid configuration: REDIS_URL (redis.url) must be redis://host:port or empty, got "localhost:6379"'],
    [{ LOG_LEVEL: 'loud' }, 'Invalid configuration: LOG_LEVEL (log.level) must be one of the following values: fatal, error, warn, info, debug, trace, silent, got "loud"'],
  ])('stops on %j with one line naming the setting', (env, message) => {
    expect(() => load(env)).toThrow(new ConfigError(message));
  });

  it('never echoes a secret in the error', () => {
    expect(() => load({ JWT_SECRET: 'short-secret' })).toThrow(
      new ConfigError('Invalid configuration: JWT_SECRET (auth.jwtSecret) must be at least 32 characters'),
    );
  });

  it('validates tenants from a config file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gw-config-'));
    writeFileSync(join(dir, 'default.yaml'), require('node:fs').readFileSync(join(__dirname, '../../config/default.yaml')));
    writeFileSync(join(dir, 'development.yaml'), 'tenants:\n  - id: acme\n    defaultRegion: GB\n    numbers: ["0207"]\n');
    expect(() => loadConfig({ configDir: dir, env: {} })).toThrow(/tenants\.0\.numbers must hold E\.164 numbers/);
  });
});

describe('settleSecrets', () => {
  it('keeps a development secret in a file, the same on the next start', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gw-secret-'));
    const first = settleSecrets(loadConfig({ env: {}, overrides: { auth: { devSecretFile: join(dir, 's') } } }));
    const second = settleSecrets(loadConfig({ env: {}, overrides: { auth: { devSecretFile: join(dir, 's') } } }));
    expect(first.devSecret).toBe(true);
    expect(first.config.auth.jwtSecret.length).toBeGreaterThanOrEqual(32);
    expect(second.config.auth.jwtSecret).toBe(first.config.auth.jwtSecret);
  });

  it('refuses to start in production without JWT_SECRET', () => {
    expect(() => settleSecrets(load({ NODE_ENV: 'production' }))).toThrow(
      'Invalid configuration: JWT_SECRET (auth.jwtSecret) must be set when NODE_ENV is production',
    );
  });
});
