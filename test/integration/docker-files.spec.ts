import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { loadConfig } from '../../src/config/config.loader';
import { settleSecrets } from '../../src/config/runtime';

/**
 * What can be checked of docker/ without a Docker engine: the compose file's promises (one build,
 * pinned images, secrets without defaults, configuration mounted, exit 78 not hidden) and the
 * mounted configuration loading as the replicas will load it.
 */
const DOCKER = join(__dirname, '..', '..', 'docker');
const compose = parse(readFileSync(join(DOCKER, 'compose.yaml'), 'utf8'), { merge: true, customTags: [{ tag: '!reset', resolve: () => null }] }) as {
  services: Record<string, { image?: string; build?: unknown; pull_policy?: string; restart?: string; environment?: Record<string, string>; volumes?: string[]; command?: string[] }>;
};
const { services } = compose;

describe('docker/compose.yaml', () => {
  it('builds the gateway image once and runs it twice', () => {
    expect(services['gateway-1']!.build).toBeTruthy();
    expect(services['gateway-2']!.build).toBeNull();
    expect(services['gateway-2']!.pull_policy).toBe('never');
    expect(services['gateway-2']!.image).toBe(services['gateway-1']!.image);
  });

  it('pins every pulled image to a version', () => {
    for (const [name, service] of Object.entries(services)) {
      if (service.build) continue;
      expect([name, service.image]).toEqual([name, expect.stringMatching(/^[\w./-]+:(?!latest$)[\w.-]+$/)]);
    }
  });

  it('has no default for a secret: JWT_SECRET, PUBLIC_BASE_URL and DRACHTIO_SECRET must be given', () => {
    const env = services['gateway-1']!.environment!;
    for (const name of ['JWT_SECRET', 'PUBLIC_BASE_URL', 'DRACHTIO_SECRET']) expect([name, env[name]]).toEqual([name, expect.stringMatching(new RegExp(`^\\$\\{${name}:\\?`))]);
    expect(services.drachtio!.command!.join(' ')).toMatch(/--secret \$\{DRACHTIO_SECRET:\?/);
  });

  it('mounts docker/config into both replicas as CONFIG_FILE, and lets a refused configuration (exit 78) stay down', () => {
    for (const name of ['gateway-1', 'gateway-2']) {
      expect(services[name]!.volumes).toContain('./config:/etc/contact-gateway:ro');
      expect(services[name]!.environment!.CONFIG_FILE).toBe('/etc/contact-gateway/gateway.yaml');
      expect(services[name]!.restart).toMatch(/^on-failure:\d+$/);
    }
  });
});

describe('docker/config/gateway.yaml', () => {
  it('loads as the replicas load it (production, with the variables compose requires)', () => {
    const { config } = settleSecrets(loadConfig({
      env: { NODE_ENV: 'production', CONFIG_FILE: join(DOCKER, 'config', 'gateway.yaml'), JWT_SECRET: 'j'.repeat(40), METRICS_TOKEN: 'scrape', PUBLIC_BASE_URL: 'https://gw.example.com' },
    }));
    expect(config.tenants).toEqual([]);
  });
});
