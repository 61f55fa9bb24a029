import { createHash } from 'node:crypto';
import { Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { AppConfig } from '../config/config.schema';
import type { Principal } from '../common/auth/principal';
import { DomainError, ErrorCode } from '../common/errors/domain-error';
import { nowIso } from '../common/ids';
import { UnitOfWork } from '../unit-of-work/unit-of-work';

/** A reservation this old was left by a request that never finished (a crash): it is freed. */
const PENDING_TIMEOUT_MS = 60_000;

export interface StoredResponse {
  statusCode: number;
  body: unknown;
}

/** Whose key it is: keys belong to the caller (tenant and token subject), not to the tenant. */
export type IdempotencyCaller = Pick<Principal, 'tenantId' | 'agentId'>;

/**
 * The key as stored: the caller's subject and their key, unambiguously joined (a subject may hold
 * any character), so two agents of a tenant who pick the same key never meet. The table's primary
 * key stays (tenant, key), so no migration: keys stored before this change match no caller and
 * expire with the TTL.
 */
export function callerScopedKey(subject: string, key: string): string {
  return JSON.stringify([subject, key]);
}

/**
 * `Idempotency-Key` on creating POSTs: the same caller with the same key and request within the
 * TTL gets the first response and creates nothing; the same key with another request is a 422; a
 * key whose first request is still running is a 409. Another caller's use of a key is unrelated.
 */
@Injectable()
export class IdempotencyService implements OnModuleInit, OnModuleDestroy {
  private purger?: NodeJS.Timeout;

  constructor(
    private readonly uow: UnitOfWork,
    private readonly config: AppConfig,
  ) {}

  /** Keys past their 24 h are dropped once an hour, so the table does not grow without end. */
  onModuleInit(): void {
    this.purger = setInterval(() => void this.purgeExpired().catch(() => undefined), 3_600_000);
    this.purger.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.purger);
  }

  static hash(method: string, path: string, body: unknown): string {
    return createHash('sha256').update(`${method} ${path}\n${canonicalJson(body)}`).digest('hex');
  }

  /** Reserves the key for this request, or returns the response to replay. */
  async begin(caller: IdempotencyCaller, clientKey: string, requestHash: string): Promise<StoredResponse | undefined> {
    const { tenantId } = caller;
    const key = callerScopedKey(caller.agentId, clientKey);
    const repo = this.uow.direct.idempotency;
    const cutoff = new Date(Date.now() - this.config.idempotency.ttlHours * 3_600_000).toISOString();
    for (let attempt = 0; attempt < 2; attempt++) {
      if (await repo.reserve(tenantId, key, requestHash, nowIso())) return undefined;
      const existing = await repo.find(tenantId, key);
      if (!existing) continue; // released between our insert and read: try once more
      const abandoned = existing.state === 'pending' && existing.createdAt < new Date(Date.now() - PENDING_TIMEOUT_MS).toISOString();
      if (existing.createdAt < cutoff || abandoned) {
        await repo.release(tenantId, key);
        continue;
      }
      if (existing.requestHash !== requestHash) {
        throw new DomainError(ErrorCode.IdempotencyMismatch, 'this Idempotency-Key was used with a different request');
      }
      if (existing.state === 'pending') {
        throw new DomainError(ErrorCode.IdempotencyInProgress, 'a request with this Idempotency-Key is still being processed');
      }
      return { statusCode: existing.statusCode!, body: JSON.parse(existing.responseBody!) };
    }
    throw new DomainError(ErrorCode.IdempotencyInProgress, 'a request with this Idempotency-Key is still being processed');
  }

  async complete(caller: IdempotencyCaller, clientKey: string, response: StoredResponse): Promise<void> {
    const key = callerScopedKey(caller.agentId, clientKey);
    await this.uow.direct.idempotency.complete(caller.tenantId, key, response.statusCode, JSON.stringify(response.body));
  }

  /** The request failed: the key is freed so the client can retry with it. */
  async release(caller: IdempotencyCaller, clientKey: string): Promise<void> {
    await this.uow.direct.idempotency.release(caller.tenantId, callerScopedKey(caller.agentId, clientKey));
  }

  async purgeExpired(): Promise<number> {
    const cutoff = new Date(Date.now() - this.config.idempotency.ttlHours * 3_600_000).toISOString();
    return this.uow.direct.idempotency.purgeBefore(cutoff);
  }
}

/** JSON with object keys sorted, so the same request hashes the same whatever its key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value as object).sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
