import { Injectable, type OnModuleInit } from '@nestjs/common';
import { DomainError, ErrorCode } from '../common/errors/domain-error';
import { newId, nowIso } from '../common/ids';
import { AppConfig } from '../config/config.schema';
import { ProviderRegistry } from '../providers/provider.registry';
import { TenantsService } from '../tenants/tenants.service';
import { UnitOfWork } from '../unit-of-work/unit-of-work';
import { decodeSimulatedMedia, isMediaProblem, type DecodedMedia } from './domain/simulated-media';
import type { SimulatedInboundSmsDto } from './dto/simulated-inbound-sms.dto';
import { InboundMessagingService, type InboundResult } from './inbound-messaging.service';
import type { StoredMedia } from './simulator-media.repository';

/**
 * Plays a customer texting in, pictures included, through the same inbound path as a provider
 * webhook. The simulator keeps the pictures in the store and serves them through its provider's
 * `fetchMedia`, so `GET /v1/attachments/:id` opens them exactly as it opens a provider's.
 */
@Injectable()
export class SimulatorMessagingService implements OnModuleInit {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly inbound: InboundMessagingService,
    private readonly tenants: TenantsService,
    private readonly providers: ProviderRegistry,
    private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.providers.simulator.serveMediaFrom((tenantId, id) => this.uow.direct.simulatorMedia.find(tenantId, id));
  }

  async receive(tenantId: string, body: SimulatedInboundSmsDto): Promise<InboundResult> {
    this.requireSimulated(tenantId);
    // Only into the caller's own tenant: the simulator is no way to write into another tenant.
    if (this.tenants.ownerOf(body.to)?.id !== tenantId) throw DomainError.notFound(`a number ${body.to} of this tenant`);
    const pictures = this.decode(body);
    const at = nowIso();
    const stored: StoredMedia[] = pictures.map((p) => ({ id: newId(), tenantId, contentType: p.contentType, size: p.bytes.length, data: p.bytes, createdAt: at }));
    // Stored first (the inbound path owns its transaction); taken back if the message is not.
    const repo = this.uow.direct.simulatorMedia;
    await repo.insert(stored);
    try {
      return await this.inbound.receive({
        provider: 'simulator', providerRef: `SM${newId()}`, from: body.from, to: body.to, body: body.body,
        media: stored.map((m) => ({ url: this.providers.simulator.mediaUrl(tenantId, m.id), contentType: m.contentType, size: m.size })),
      });
    } catch (error) {
      await repo.delete(tenantId, stored.map((m) => m.id)).catch(() => undefined);
      throw error;
    }
  }

  /** Every picture decoded, or a 400 naming the first bad one (`media.N.data`, `media.N.contentType`). */
  private decode(body: SimulatedInboundSmsDto): DecodedMedia[] {
    return (body.media ?? []).map((item, index) => {
      const decoded = decodeSimulatedMedia(item, this.config.simulator.mediaMaxBytes);
      if (isMediaProblem(decoded)) throw DomainError.invalidField(`media.${index}.${decoded.field}`, decoded.message);
      return decoded;
    });
  }

  /**
   * A tenant whose texts go through a real provider has real customers behind its numbers: a
   * simulated "STOP" would opt one out, any other text would put words in their mouth. For it the
   * simulator does not exist (404: no role or token could make it exist), unless the operator lets
   * it serve every tenant (`simulator.allTenants`, on in development, off in production).
   */
  private requireSimulated(tenantId: string): void {
    if (this.config.simulator.allTenants) return;
    const provider = this.providers.smsNameFor(this.tenants.get(tenantId));
    if (provider !== 'simulator') {
      throw new DomainError(ErrorCode.NotFound, `the simulator does not serve this tenant: its SMS provider is ${provider} (simulator.allTenants is off)`);
    }
  }
}
