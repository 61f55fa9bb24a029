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

describe('loadConfig: tenant policy', () => {
  const tenants = (list: object[]) => () => loadConfig({ env: {}, overrides: { tenants: list as never } });

  it('stops on a number listed by two tenants, naming both and the number', () => {
    expect(tenants([{ id: 'acme', numbers: ['+14155550100'] }, { id: 'globex', numbers: ['+14155550199', '+14155550100'] }])).toThrow(
      new ConfigError('Invalid configuration: tenants.1.numbers: +14155550100 is listed by tenant "acme" and by tenant "globex"; a number belongs to one tenant'),
    );
  });

  it('takes which provider owns a number, and stops on a number the tenant does not have or a provider it does not know', () => {
    const ok = tenants([{ id: 'acme', numbers: ['+14155550100', '+14155550101'], numberProviders: { '+14155550101': 'jambonz' } }])();
    expect(ok.tenants![0]!.numberProviders).toEqual({ '+14155550101': 'jambonz' });
    expect(tenants([{ id: 'acme', numbers: ['+14155550100'], numberProviders: { '+14155550199': 'twilio' } }])).toThrow(
      new ConfigError("Invalid configuration: tenants.0.numberProviders: +14155550199 is not one of the tenant's numbers"),
    );
    expect(tenants([{ id: 'acme', numbers: ['+14155550100'], numberProviders: { '+14155550100': 'nope' } }])).toThrow(
      /tenants\.0\.numberProviders\.\+14155550100 must be one of twilio, jambonz/,
    );
    expect(tenants([{ id: 'acme', numbers: ['+14155550100'], numberProviders: ['twilio'] }])).toThrow(/numberProviders/);
  });

  it('stops on a number listed twice by one tenant, and on a tenant id used twice', () => {
    expect(tenants([{ id: 'acme', numbers: ['+14155550100', '+14155550100'] }])).toThrow(
      new ConfigError('Invalid configuration: tenants.0.numbers lists +14155550100 twice (tenant "acme")'),
    );
    expect(tenants([{ id: 'acme' }, { id: 'acme' }])).toThrow(new ConfigError('Invalid configuration: tenants.1.id "acme" is used by two tenants'));
  });

  it('lets any agent endpoint be dialled and the simulator serve every tenant in development, not in production', () => {
    const development = load({});
    expect(development.defaults.agentEndpoints).toEqual(['*']);
    expect(development.simulator.allTenants).toBe(true);
    const production = load({ NODE_ENV: 'production', METRICS_TOKEN: 'scrape-token' });
    expect(production.defaults.agentEndpoints).toEqual(['user:*']);
    expect(production.simulator.allTenants).toBe(false);
  });

  it('reads both from the environment', () => {
    const config = load({ NODE_ENV: 'production', METRICS_TOKEN: 'scrape-token', DEFAULT_AGENT_ENDPOINTS: 'user:*, sip:*@pbx.example.com', SIMULATOR_ALL_TENANTS: 'true' });
    expect(config.defaults.agentEndpoints).toEqual(['user:*', 'sip:*@pbx.example.com']);
    expect(config.simulator.allTenants).toBe(true);
    expect(() => load({ SIMULATOR_ALL_TENANTS: 'yes' })).toThrow(
      new ConfigError('Invalid configuration: SIMULATOR_ALL_TENANTS (simulator.allTenants) must be a boolean value, got "yes"'),
    );
  });

  it('checks agent endpoint patterns at boot', () => {
    expect(() => load({ DEFAULT_AGENT_ENDPOINTS: 'tel:+44*' })).toThrow(
      /^Invalid configuration: DEFAULT_AGENT_ENDPOINTS \(defaults\.agentEndpoints\) must hold agent endpoint patterns such as "user:\*"/,
    );
    expect(tenants([{ id: 'acme', agentEndpoints: ['user:*', 'pbx.acme.example'] }])).toThrow(
      /^Invalid configuration: tenants\.0\.agentEndpoints must hold agent endpoint patterns/,
    );
    expect(tenants([{ id: 'acme', agentEndpoints: ['user:acme-*', 'sip:*@pbx.acme.example', '+44207183*'] }])().tenants?.[0]?.agentEndpoints).toHaveLength(3);
  });
});

describe('loadConfig: /metrics', () => {
  it('refuses a production configuration without METRICS_TOKEN, never echoing the token', () => {
    expect(() => load({ NODE_ENV: 'production' })).toThrow(
      new ConfigError('Invalid configuration: METRICS_TOKEN (metrics.token) must be set, or METRICS_PUBLIC (metrics.public) must be true to serve /metrics without a token'),
    );
    expect(() => load({ NODE_ENV: 'production', METRICS_PUBLIC: 'false' })).toThrow(/^Invalid configuration: METRICS_TOKEN \(metrics\.token\) must be set/);
  });

  it.each<[string, Record<string, string>, { token: string; public: boolean }]>([
    ['production with a token', { NODE_ENV: 'production', METRICS_TOKEN: 'scrape-token' }, { token: 'scrape-token', public: false }],
    ['production, public on purpose', { NODE_ENV: 'production', METRICS_PUBLIC: 'true' }, { token: '', public: true }],
    ['development', {}, { token: '', public: true }],
    ['test', { NODE_ENV: 'test' }, { token: '', public: true }],
    ['development with a token', { METRICS_TOKEN: 'scrape-token' }, { token: 'scrape-token', public: true }],
  ])('loads %s', (_name, env, metrics) => {
    expect({ ...load(env).metrics }).toEqual(metrics);
  });

  it('refuses a METRICS_PUBLIC that is not true or false', () => {
    expect(() => load({ METRICS_PUBLIC: 'yes' })).toThrow(new ConfigError('Invalid configuration: METRICS_PUBLIC (metrics.public) must be a boolean value, got "yes"'));
  });
});

describe('loadConfig: the HTTP edge', () => {
  it('trusts no proxy and bounds headers, bodies and idle connections by default', () => {
    const { http } = load({});
    expect(http.trustedProxies).toEqual([]);
    expect(http).toMatchObject({ headersTimeoutMs: 10000, requestTimeoutMs: 30000, connectionTimeoutMs: 60000, keepAliveTimeoutMs: 72000 });
  });

  it('reads TRUSTED_PROXIES as a comma-separated list and the timeouts from the environment', () => {
    const { http } = load({
      TRUSTED_PROXIES: '10.0.0.0/8, 127.0.0.1,fd00::/8', HTTP_HEADERS_TIMEOUT_MS: '5000', HTTP_REQUEST_TIMEOUT_MS: '20000',
      HTTP_CONNECTION_TIMEOUT_MS: '0', HTTP_KEEP_ALIVE_TIMEOUT_MS: '65000',
    });
    expect(http.trustedProxies).toEqual(['10.0.0.0/8', '127.0.0.1', 'fd00::/8']);
    expect(http).toMatchObject({ headersTimeoutMs: 5000, requestTimeoutMs: 20000, connectionTimeoutMs: 0, keepAliveTimeoutMs: 65000 });
    expect(load({ TRUSTED_PROXIES: '' }).http.trustedProxies).toEqual([]);
  });

  it.each([
    [{ TRUSTED_PROXIES: 'proxy.internal' }, 'Invalid configuration: TRUSTED_PROXIES (http.trustedProxies) must hold IP addresses or CIDR ranges (or loopback, linklocal, uniquelocal), got "proxy.internal"'],
    [{ TRUSTED_PROXIES: '10.0.0.0/40' }, 'Invalid configuration: TRUSTED_PROXIES (http.trustedProxies) must hold IP addresses or CIDR ranges (or loopback, linklocal, uniquelocal), got "10.0.0.0/40"'],
    [{ HTTP_REQUEST_TIMEOUT_MS: '0' }, 'Invalid configuration: HTTP_REQUEST_TIMEOUT_MS (http.requestTimeoutMs) must not be less than 100, got "0"'],
    [{ HTTP_HEADERS_TIMEOUT_MS: '40000' }, 'Invalid configuration: HTTP_REQUEST_TIMEOUT_MS (http.requestTimeoutMs) must not be less than HTTP_HEADERS_TIMEOUT_MS (http.headersTimeoutMs), got 30000'],
  ])('stops on %j with one line naming the setting', (env, message) => {
    expect(() => load(env)).toThrow(new ConfigError(message));
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
    expect(() => settleSecrets(load({ NODE_ENV: 'production', METRICS_TOKEN: 'scrape-token' }))).toThrow(
      'Invalid configuration: JWT_SECRET (auth.jwtSecret) must be set when NODE_ENV is production',
    );
  });
});

describe('loadConfig: media prefixes', () => {
  it('defaults Twilio redirects to its CDN and jambonz to no carrier host', () => {
    const config = load({});
    expect(config.providers.twilio.mediaCdnPrefixes).toEqual(['https://mms.twiliocdn.com/', 'https://s3-external-1.amazonaws.com/media.twiliocdn.com/']);
    expect(config.providers.jambonz.mediaPrefixes).toEqual([]);
  });

  it('reads comma-separated prefixes from the environment', () => {
    const config = load({ JAMBONZ_MEDIA_PREFIXES: 'https://media.carrier.example/mms/, https://cdn.carrier.example/' });
    expect(config.providers.jambonz.mediaPrefixes).toEqual(['https://media.carrier.example/mms/', 'https://cdn.carrier.example/']);
  });

  it.each([
    ['https://media.carrier.example/mms'],
    ['https://user:pass@media.carrier.example/'],
    ['https://media.carrier.example/?sig=1/'],
    ['ftp://media.carrier.example/'],
  ])('stops on the prefix %s', (prefix) => {
    expect(() => load({ JAMBONZ_MEDIA_PREFIXES: prefix })).toThrow(/JAMBONZ_MEDIA_PREFIXES \(providers\.jambonz\.mediaPrefixes\) must hold http\(s\) URL prefixes ending in "\/"/);
  });
});

describe('loadConfig: the operator\'s CONFIG_FILE', () => {
  it('lays tenants and settings over the shipped files, under the environment', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gw-config-'));
    const file = join(dir, 'gateway.yaml');
    writeFileSync(file, 'http:\n  publicBaseUrl: https://from-file.example.com\n  port: 4000\ntenants:\n  - id: acme\n    numbers: ["+14155550100"]\n');
    const config = load({ CONFIG_FILE: file, PORT: '5000' });
    expect(config.tenants?.map((t) => [t.id, t.numbers])).toEqual([['acme', ['+14155550100']]]);
    expect(config.http.publicBaseUrl).toBe('https://from-file.example.com');
    expect(config.http.port).toBe(5000); // the environment wins over the file
  });

  it('refuses a CONFIG_FILE that is not there, naming it', () => {
    expect(() => load({ CONFIG_FILE: '/nonexistent/gateway.yaml' })).toThrow('Invalid configuration: /nonexistent/gateway.yaml is missing');
  });
});
