import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import type { ApiKeyVerifier } from '../../common/auth/api-key-verifier';
import { ROLES, type Principal, type Role } from '../../common/auth/principal';
import { DomainError, ErrorCode } from '../../common/errors/domain-error';
import { nowIso } from '../../common/ids';
import { LOGGER } from '../../common/logging/logger.token';
import { UnitOfWork, type Work } from '../../unit-of-work/unit-of-work';
import { grantRefusal, keyAgentId } from './domain/api-key-grant';
import { mintApiKey, parseApiKey, secretMatches } from './api-key-token';
import type { StoredApiKey } from './api-keys.repository';

/** A key as the admin API lists it: never its secret. */
export interface ApiKeyView {
  id: string;
  name: string;
  roles: Role[];
  agentId: string | null;
  createdBy: string;
  createdAt: string;
  /** When a request last used it (written at most once a minute per instance); null: never. */
  lastUsedAt: string | null;
}

/** What a bad key is answered: the words a bad JWT gets, so a caller learns nothing more. */
const INVALID = 'the token is invalid';
/** How often one key's `lastUsedAt` is written by one instance. */
const TOUCH_EVERY_MS = 60_000;

/**
 * API keys for machine clients. Each request with a key reads its row by id (the primary key), so a
 * revoked key is refused by every instance from the moment the DELETE commits: nothing is cached.
 */
@Injectable()
export class ApiKeysService implements ApiKeyVerifier {
  private readonly touched = new Map<string, number>();

  constructor(private readonly uow: UnitOfWork, @Inject(LOGGER) private readonly logger: Logger) {}

  async create(principal: Principal, input: { name: string; roles: Role[]; agentId?: string }): Promise<ApiKeyView & { key: string }> {
    const roles = ROLES.filter((role) => input.roles.includes(role));
    const refusal = grantRefusal(principal.roles, { roles, ...(input.agentId ? { agentId: input.agentId } : {}) });
    if (refusal) throw DomainError.invalidField(refusal[0], refusal[1], ErrorCode.Unprocessable);
    const minted = mintApiKey();
    const at = nowIso();
    const stored: StoredApiKey = {
      id: minted.id, tenantId: principal.tenantId, name: input.name, roles: [...roles], agentId: input.agentId ?? null,
      secretHash: minted.secretHash, createdBy: principal.agentId, createdAt: at, lastUsedAt: null,
    };
    await this.uow.run(async (w) => {
      await w.apiKeys.insert(stored);
      await announce(w, principal, at);
    });
    this.logger.info({ tenantId: principal.tenantId, keyId: minted.id, roles, by: principal.agentId }, 'API key created');
    return { ...view(stored), key: minted.token };
  }

  async list(principal: Principal): Promise<{ items: ApiKeyView[] }> {
    return { items: (await this.uow.direct.apiKeys.list(principal.tenantId)).map(view) };
  }

  async revoke(principal: Principal, id: string): Promise<void> {
    const at = nowIso();
    const found = await this.uow.run(async (w) => {
      if (!(await w.apiKeys.delete(principal.tenantId, id))) return false;
      await announce(w, principal, at);
      return true;
    });
    if (!found) throw DomainError.notFound('API key');
    this.logger.info({ tenantId: principal.tenantId, keyId: id, by: principal.agentId }, 'API key revoked');
  }

  /** The caller a key stands for; a malformed, unknown or revoked key is refused alike (401). */
  async verify(token: string): Promise<Principal> {
    const parsed = parseApiKey(token);
    const row = parsed ? await this.uow.direct.apiKeys.find(parsed.id) : undefined;
    // The hash is compared even for an unknown id, so its answer takes as long as a wrong secret's.
    const matches = secretMatches(parsed?.secret ?? '', row?.secretHash ?? '0'.repeat(64));
    if (!parsed || !row || !matches) throw new DomainError(ErrorCode.Unauthenticated, INVALID);
    this.touch(row.id);
    const roles = ROLES.filter((role) => row.roles.includes(role));
    return { agentId: keyAgentId(row.id, row.agentId), tenantId: row.tenantId, roles, pii: false, apiKeyId: row.id };
  }

  async isLive(keyId: string): Promise<boolean> {
    return (await this.uow.direct.apiKeys.find(keyId)) !== undefined;
  }

  /** Notes the key's use, at most once a minute per instance; a failed write costs nothing but the note. */
  private touch(id: string): void {
    const now = Date.now();
    if (now - (this.touched.get(id) ?? 0) < TOUCH_EVERY_MS) return;
    this.touched.set(id, now);
    this.uow.direct.apiKeys.touch(id, new Date(now).toISOString()).catch((error: unknown) => {
      this.logger.warn({ keyId: id, err: (error as Error).message }, 'API key lastUsedAt not written');
    });
  }
}

/** Keys are part of the tenant's settings: the version moves and admins are told (`tenant.updated`). */
async function announce(w: Work, principal: Principal, at: string): Promise<void> {
  const version = await w.tenants.bumpVersion(principal.tenantId, at);
  if (version === undefined) throw DomainError.notFound('tenant');
  await w.emit(principal.tenantId, [{ type: 'tenant.updated', conversationId: null, data: { version, changed: ['apiKeys'], by: principal.agentId } }], at);
}

function view(key: StoredApiKey): ApiKeyView {
  return {
    id: key.id, name: key.name, roles: ROLES.filter((role) => key.roles.includes(role)), agentId: key.agentId,
    createdBy: key.createdBy, createdAt: key.createdAt, lastUsedAt: key.lastUsedAt,
  };
}
