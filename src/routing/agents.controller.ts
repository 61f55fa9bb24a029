import { Controller, Get } from '@nestjs/common';
import { CurrentPrincipal } from '../common/auth/auth.decorators';
import type { Principal } from '../common/auth/principal';
import { Roles } from '../common/auth/roles.decorator';
import type { AgentPresence } from './presence.repository';
import { PresenceService } from './presence.service';

/** The tenant's agents with a socket open on any instance, for supervisors. */
@Controller('v1/agents')
@Roles('supervisor', 'admin')
export class AgentsController {
  constructor(private readonly presence: PresenceService) {}

  @Get()
  async list(@CurrentPrincipal() principal: Principal): Promise<{ items: Array<AgentPresence & { status: 'online' }> }> {
    const online = await this.presence.list(principal.tenantId);
    return { items: online.map((a) => ({ ...a, status: 'online' })) };
  }
}
