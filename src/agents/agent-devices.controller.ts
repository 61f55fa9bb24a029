import { Body, Controller, Delete, Get, HttpCode, Param, Put } from '@nestjs/common';
import { IsIn, IsString, Matches } from 'class-validator';
import { AGENT_ENDPOINT } from '../calls/domain/agent-endpoint';
import { CurrentPrincipal } from '../common/auth/auth.decorators';
import type { Principal } from '../common/auth/principal';
import { Roles } from '../common/auth/roles.decorator';
import { AgentsService, type AgentProfileView } from './agents.service';

export class AgentDeviceDto {
  /** Where the agent's calls ring. */
  @IsString() @Matches(AGENT_ENDPOINT, { message: 'must be a sip: URI, an E.164 number or user:<name>' }) endpoint!: string;
}

export class AgentStatusDto {
  @IsIn(['available', 'away']) status!: 'available' | 'away';
}

/** Agents' devices (admins set them) and an agent's own profile and availability. */
@Controller('v1/agents')
export class AgentDevicesController {
  constructor(private readonly agents: AgentsService) {}

  /** The calling agent's profile: their device and whether they are away. */
  @Get('me/profile')
  @Roles('agent', 'supervisor', 'admin')
  me(@CurrentPrincipal() principal: Principal): Promise<AgentProfileView> {
    return this.agents.profile(principal, principal.agentId);
  }

  /** `available` again after a RONA (or `away`): inbound calls ring only on available agents. */
  @Put('me/status')
  @Roles('agent', 'supervisor', 'admin')
  status(@CurrentPrincipal() principal: Principal, @Body() body: AgentStatusDto): Promise<AgentProfileView> {
    return this.agents.setStatus(principal, body.status);
  }

  @Get(':agentId/device')
  @Roles('supervisor', 'admin')
  get(@CurrentPrincipal() principal: Principal, @Param('agentId') agentId: string): Promise<AgentProfileView> {
    return this.agents.profile(principal, agentId);
  }

  @Put(':agentId/device')
  @Roles('admin')
  set(@CurrentPrincipal() principal: Principal, @Param('agentId') agentId: string, @Body() body: AgentDeviceDto): Promise<AgentProfileView> {
    return this.agents.setDevice(principal, agentId, body.endpoint);
  }

  /** Removes the device set here; the tenant's seeded one, if any, applies again. */
  @Delete(':agentId/device')
  @Roles('admin')
  @HttpCode(204)
  async clear(@CurrentPrincipal() principal: Principal, @Param('agentId') agentId: string): Promise<void> {
    await this.agents.clearDevice(principal, agentId);
  }
}
