import { isIP } from 'node:net';
import { ValidateBy, type ValidationOptions } from 'class-validator';

/** The names proxy-addr (Fastify's trustProxy) gives to the usual private ranges. */
const RANGE_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/**
 * An entry of TRUSTED_PROXIES: an IP address, a CIDR range (`10.0.0.0/8`, `fd00::/8`) or one of
 * proxy-addr's names (`loopback`, `linklocal`, `uniquelocal`). Host names are refused: a proxy is
 * recognised by the address the connection comes from, never by what it claims to be.
 */
export function isProxyAddress(entry: string): boolean {
  if (RANGE_NAMES.has(entry)) return true;
  const [address, bits, ...rest] = entry.split('/');
  if (rest.length > 0 || address === undefined) return false;
  const family = isIP(address);
  if (family === 0) return false;
  if (bits === undefined) return true;
  if (!/^\d{1,3}$/.test(bits)) return false;
  return Number(bits) <= (family === 4 ? 32 : 128);
}

export function IsProxyAddress(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy({ name: 'isProxyAddress', validator: { validate: (value) => typeof value === 'string' && isProxyAddress(value) } }, options);
}
