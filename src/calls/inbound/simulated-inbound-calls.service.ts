import { Injectable } from '@nestjs/common';
import { DomainError, ErrorCode } from '../../common/errors/domain-error';
import { newId } from '../../common/ids';
import { requirePhone } from '../../contacts/phone-input';
import { AppConfig } from '../../config/config.schema';
import { ProviderRegistry } from '../../providers/provider.registry';
import { scriptedKeysOf } from '../../providers/queue-choice.port';
import { TenantsService } from '../../tenants/tenants.service';
import { InboundCallsService } from './inbound-calls.service';

export interface SimulatedCall {
  callId: string;
  conversationId: string;
  /** What the caller hears until an agent answers. */
  greeting: string;
  holdMusicUrl: string | null;
}

/**
 * Plays a customer calling in, through the same path as a provider's inbound webhook, with the
 * simulator voice provider as the call's provider (it "connects" the agent who answers). Like
 * the SMS simulator it serves every tenant only where `simulator.allTenants` is on (development);
 * otherwise only tenants whose voice provider is the simulator.
 */
@Injectable()
export class SimulatedInboundCallsService {
  constructor(
    private readonly inbound: InboundCallsService,
    private readonly tenants: TenantsService,
    private readonly providers: ProviderRegistry,
    private readonly config: AppConfig,
  ) {}

  /** `digits`: the keys the caller presses if asked to choose between voicemail and a callback (queue timeout). */
  async call(tenantId: string, fromInput: string, toInput: string, digits?: string): Promise<SimulatedCall> {
    const tenant = this.tenants.get(tenantId);
    if (!this.config.simulator.allTenants && (tenant.voiceProvider ?? 'simulator') !== 'simulator') {
      throw new DomainError(ErrorCode.NotFound, `the simulator does not serve this tenant: its voice provider is ${tenant.voiceProvider} (simulator.allTenants is off)`);
    }
    const simulator = this.providers.voiceByName('simulator');
    if (!simulator) throw new DomainError(ErrorCode.NotFound, 'the simulator voice provider is not running');
    const from = requirePhone('from', fromInput, tenant.defaultRegion);
    const to = requirePhone('to', toInput, tenant.defaultRegion);
    // Only into the caller's own tenant: the simulator is no way to write into another tenant.
    if (this.tenants.ownerOf(to)?.id !== tenantId) throw DomainError.notFound(`a number ${to} of this tenant`);
    const providerRef = `SIM-${newId()}`;
    if (digits) scriptedKeysOf(simulator)?.willPress(providerRef, digits);
    const verdict = await this.inbound.incoming({ provider: 'simulator', providerRef, from, to });
    if (verdict.kind === 'busy') throw new DomainError(ErrorCode.Conflict, 'the caller’s conversation has a live call already (they hear busy)');
    if (verdict.kind !== 'accepted') throw DomainError.notFound(`a number ${to} of this tenant`);
    return { callId: verdict.callId, conversationId: verdict.conversationId, greeting: verdict.greeting, holdMusicUrl: verdict.holdMusicUrl };
  }
}
