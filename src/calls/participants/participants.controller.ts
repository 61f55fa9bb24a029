import { Body, Controller, Delete, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { CurrentPrincipal } from '../../common/auth/auth.decorators';
import type { Principal } from '../../common/auth/principal';
import { Roles } from '../../common/auth/roles.decorator';
import type { CallView } from '../call.view';
import { AddParticipantDto, ConsultDto, SuperviseDto, SupervisorModeDto } from './dto/participants.dto';
import { ParticipantsService } from './participants.service';

/** Consultation, conference and supervision of a live call; each answers the call as it is now. */
@Controller('v1/calls/:id')
@Roles('agent', 'supervisor', 'admin')
export class ParticipantsController {
  constructor(private readonly participants: ParticipantsService) {}

  /** Holds the customer and rings `to`; the agent and they talk privately. */
  @Post('consult') @HttpCode(200)
  consult(@CurrentPrincipal() p: Principal, @Param('id') id: string, @Body() body: ConsultDto): Promise<CallView> {
    return this.participants.command(p, id, { kind: 'consult', to: body.to });
  }

  /** The consulted party takes the customer; the agent leaves. */
  @Post('consult/complete') @HttpCode(200)
  complete(@CurrentPrincipal() p: Principal, @Param('id') id: string): Promise<CallView> {
    return this.participants.command(p, id, { kind: 'complete' });
  }

  /** The customer, the agent and the consulted party talk together. */
  @Post('consult/merge') @HttpCode(200)
  merge(@CurrentPrincipal() p: Principal, @Param('id') id: string): Promise<CallView> {
    return this.participants.command(p, id, { kind: 'merge' });
  }

  /** The consulted party is dropped; the agent is back with the customer. */
  @Post('consult/cancel') @HttpCode(200)
  cancel(@CurrentPrincipal() p: Principal, @Param('id') id: string): Promise<CallView> {
    return this.participants.command(p, id, { kind: 'cancel' });
  }

  @Post('participants') @HttpCode(200)
  add(@CurrentPrincipal() p: Principal, @Param('id') id: string, @Body() body: AddParticipantDto): Promise<CallView> {
    return this.participants.command(p, id, { kind: 'add', to: body.to, role: body.role });
  }

  @Delete('participants/:pid') @HttpCode(200)
  remove(@CurrentPrincipal() p: Principal, @Param('id') id: string, @Param('pid') pid: string): Promise<CallView> {
    return this.participants.command(p, id, { kind: 'remove', participantId: pid });
  }

  /** A supervisor listens (`monitor`), coaches the agent (`whisper`) or joins (`barge`). */
  @Post('supervise') @HttpCode(200) @Roles('supervisor', 'admin')
  supervise(@CurrentPrincipal() p: Principal, @Param('id') id: string, @Body() body: SuperviseDto): Promise<CallView> {
    return this.participants.command(p, id, { kind: 'supervise', endpoint: body.endpoint, mode: body.mode });
  }

  /** Changes the mode of the supervisor the caller brought in. */
  @Patch('supervise') @HttpCode(200) @Roles('supervisor', 'admin')
  setOwnMode(@CurrentPrincipal() p: Principal, @Param('id') id: string, @Body() body: SupervisorModeDto): Promise<CallView> {
    return this.participants.command(p, id, { kind: 'set-mode', mode: body.mode });
  }

  /** Changes the mode of one supervising party (when a supervisor brought in several, or another's). */
  @Patch('supervise/:pid') @HttpCode(200) @Roles('supervisor', 'admin')
  setMode(@CurrentPrincipal() p: Principal, @Param('id') id: string, @Param('pid') pid: string, @Body() body: SupervisorModeDto): Promise<CallView> {
    return this.participants.command(p, id, { kind: 'set-mode', participantId: pid, mode: body.mode });
  }
}
