import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import type { Logger } from 'pino';
import { LOGGER } from '../common/logging/logger.token';
import { AppConfig } from '../config/config.schema';
import { ConfigError } from '../config/config.loader';
import { ProviderRegistry } from '../providers/provider.registry';
import { DATABASE } from '../storage/storage.module';
import type { DatabaseHandle } from '../storage/database';
import { TenantsService } from '../tenants/tenants.service';
import { bootSummary, withoutCredentials } from './domain/boot-summary';

/**
 * Logs, once the tenants and providers are known, the line an operator starts from ("gateway
 * configured"); in production it refuses what would start and then fail every request (exit 78
 * through main.ts).
 */
@Injectable()
export class BootSummaryService implements OnApplicationBootstrap {
  constructor(
    private readonly config: AppConfig,
    private readonly tenants: TenantsService,
    private readonly providers: ProviderRegistry,
    @Inject(DATABASE) private readonly database: DatabaseHandle,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    const { summary, refusal } = bootSummary({
      env: this.config.env,
      store: this.database.location,
      redis: this.config.redis.url ? withoutCredentials(this.config.redis.url) : undefined,
      publicBaseUrl: this.config.http.publicBaseUrl,
      tenants: this.tenants.all().map((tenant) => ({ id: tenant.id, numbers: tenant.numbers.length, ...this.providers.routeOf(tenant) })),
    });
    this.logger.info(summary, 'gateway configured');
    if (refusal) throw new ConfigError(refusal);
  }
}
