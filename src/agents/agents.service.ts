import { Injectable } from '@nestjs/common';
import { AGENT_ID, AGENT_ID_HINT } from '../common/agent-id';
import type { Principal } from '../common/auth/principal';
import { DomainError, ErrorCode } from '../common/errors/domain-error';
import { nowIso } from '../common/ids';
import { AppConfig } from '../config/config.schema';
import { endpointRefusal } from '../calls/domain/dial-policy';
import { InboundSettingsReader } from '../calls/inbound/inbound-settings';
import type { NewEvent } from '../conversations/domain/conversation';
import { ProviderRegistry } from '../providers/provider.registry';
import { TenantsService } from '../tenants/tenants.service';
import { UnitOfWork } from '../unit-of-work/unit-of-work';
import { AgentDevices } from './agent-devices.port';

export interface AgentProfileView {
  agentId: string;
  /** Where the agent's calls ring; null: nowhere yet (click-to-call then needs an `agentEndpoint`). */
  endpoint: string | null;
  /** `api`: set through PUT /v1/agents/{id}/device; `seed`: the tenant's configuration; null: none. */
  endpointSource: 'api' | 'seed' | null;
  status: 'available' | 'away';
  awaySince: string | null;
}

/**
 * Agents' devices (the admin API's setting over the YAML seed) and their away mark: an agent who
 * lets an inbound call ring out is marked away (RONA) until they say they are available again.
 */
@Injectable()
export class AgentsService extends AgentDevices {
  private readonly settings: InboundSettingsReader;

  constructor(
    private readonly uow: UnitOfWork,
    private readonly tenants: TenantsService,
    private readonly providers: ProviderRegistry,
    config: AppConfig,
  ) {
    super();
    this.settings = new InboundSettingsReader(config, tenants);
  }

  async deviceOf(tenantId: string, agentId: string): Promise<string | undefined> {
    const row = await this.uow.direct.agents.find(tenantId, agentId);
    return row?.endpoint ?? this.settings.of(tenantId).seededDevices.get(agentId);
  }

  async profile(principal: Principal, agentId: string): Promise<AgentProfileView> {
    requireAgentId(agentId);
    const row = await this.uow.direct.agents.find(principal.tenantId, agentId);
    const seeded = this.settings.of(principal.tenantId).seededDevices.get(agentId);
    const endpoint = row?.endpoint ?? seeded ?? null;
    return {
      agentId, endpoint, endpointSource: row?.endpoint ? 'api' : seeded ? 'seed' : null,
      status: row?.awaySince ? 'away' : 'available', awaySince: row?.awaySince ?? null,
    };
  }

  /** Sets the agent's device: an endpoint the tenant's dial policy allows and its voice provider can dial (else 422). */
  async setDevice(principal: Principal, agentId: string, endpoint: string): Promise<AgentProfileView> {
    requireAgentId(agentId);
    const tenant = this.tenants.get(principal.tenantId);
    const forbidden = endpointRefusal(tenant.agentEndpoints, endpoint);
    if (forbidden) throw DomainError.invalidField('endpoint', forbidden, ErrorCode.Unprocessable);
    // The tenant's voice provider must be able to dial it (SIP: a sip: URI or a number through the trunk).
    const unreachable = this.providers.voiceFor(tenant).refusal?.(endpoint);
    if (unreachable) throw DomainError.invalidField('endpoint', unreachable, ErrorCode.Unprocessable);
    await this.uow.direct.agents.setEndpoint(tenant.id, agentId, endpoint, nowIso());
    return this.profile(principal, agentId);
  }

  /** Clears the device set through the API (the seed's, if any, applies again). */
  async clearDevice(principal: Principal, agentId: string): Promise<void> {
    requireAgentId(agentId);
    await this.uow.direct.agents.setEndpoint(principal.tenantId, agentId, null, nowIso());
  }

  /** The agent says they are available (again) or away; `agent.status` is announced when it changes. */
  async setStatus(principal: Principal, status: 'available' | 'away'): Promise<AgentProfileView> {
    const { tenantId, agentId } = principal;
    await this.uow.run(async (w) => {
      const at = nowIso();
      const row = await w.agents.find(tenantId, agentId);
      const away = Boolean(row?.awaySince);
      if (away === (status === 'away')) return;
      await w.agents.setAway(tenantId, agentId, status === 'away' ? at : null, at);
      await w.emit(tenantId, [agentStatusEvent(agentId, status, 'agent')], at);
    });
    return this.profile(principal, agentId);
  }
}

/** Addressed to the agent (their topic) and, with no conversation, the tenant topic for supervisors. */
export function agentStatusEvent(agentId: string, status: 'available' | 'away', reason: 'rona' | 'agent'): NewEvent {
  return { type: 'agent.status', conversationId: null, agentId, data: { agentId, status, reason } };
}

function requireAgentId(agentId: string): void {
  if (!AGENT_ID.test(agentId)) throw DomainError.invalidField('agentId', AGENT_ID_HINT);
}
