import { Global, Inject, Module, OnApplicationShutdown, type DynamicModule } from '@nestjs/common';
import type { Logger } from 'pino';
import { AppConfig } from '../config/config.schema';
import { LOGGER } from '../common/logging/logger.token';
import { migrate, openDatabase, type DatabaseHandle } from './database';

export const DATABASE = Symbol('DATABASE');

/** Opens the store named by DATABASE_URL and applies migrations before anything serves. */
@Global()
@Module({})
export class StorageModule implements OnApplicationShutdown {
  constructor(@Inject(DATABASE) private readonly handle: DatabaseHandle) {}

  static forRoot(): DynamicModule {
    return {
      module: StorageModule,
      providers: [
        {
          provide: DATABASE,
          inject: [AppConfig, LOGGER],
          useFactory: async (config: AppConfig, logger: Logger): Promise<DatabaseHandle> => {
            const handle = openDatabase(config.database);
            try {
              await migrate(handle.db, handle.location);
            } catch (error) {
              await handle.close();
              throw error;
            }
            logger.info({ store: handle.dialect, location: handle.location }, 'store ready');
            return handle;
          },
        },
      ],
      exports: [DATABASE],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.handle.close();
  }
}
