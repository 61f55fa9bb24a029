import { AppConfig } from './config.schema';
import { ConfigError } from './config.loader';
import { developmentSecret } from '../common/auth/jwt.service';
import { productionRefusal } from './production-guards';

export interface Runtime {
  config: AppConfig;
  /** True when the JWT secret was made for this development machine (a token is then printed). */
  devSecret: boolean;
}

/**
 * Settles what depends on the environment: in development a missing JWT_SECRET is replaced by
 * a secret kept under ./data; anywhere else it is a start-up error, as are production settings
 * that cannot work or are not safe (production-guards.ts).
 */
export function settleSecrets(config: AppConfig): Runtime {
  if (!config.auth.jwtSecret && config.env !== 'development') {
    throw new ConfigError(`Invalid configuration: JWT_SECRET (auth.jwtSecret) must be set when NODE_ENV is ${config.env}`);
  }
  const refusal = productionRefusal(config);
  if (refusal) throw new ConfigError(refusal);
  if (config.auth.jwtSecret) return { config, devSecret: false };
  config.auth.jwtSecret = developmentSecret(config.auth.devSecretFile);
  return { config, devSecret: true };
}
