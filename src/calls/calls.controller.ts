import { Body, Controller, Get, HttpCode, Param, Post, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { CurrentPrincipal } from '../common/auth/auth.decorators';
import { Roles } from '../common/auth/roles.decorator';
import type { Principal } from '../common/auth/principal';
import { IdempotencyService } from '../idempotency/idempotency.service';
import { answerOnce, Idempotent } from '../idempotency/idempotent';
import type { CallView } from './call.view';
import { CallsService } from './calls.service';
import { DtmfDto, PlaceCallDto, TransferDto } from './dto/call.dto';

@Controller('v1')
@Roles('agent', 'supervisor', 'admin')
export class CallsController {
  constructor(
    private readonly calls: CallsService,
    private readonly idempotency: IdempotencyService,
  ) {}

  /** 202: the call is recorded and placed; its progress follows as `call.*` events. */
  @Post('conversations/:id/calls')
  @HttpCode(202)
  @Idempotent()
  place(
    @CurrentPrincipal() principal: Principal, @Param('id') id: string, @Body() body: PlaceCallDto, @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CallView> {
    return answerOnce(this.idempotency, reply, () => this.calls.place(principal, id, body));
  }

  @Get('calls/:id')
  get(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<CallView> {
    return this.calls.get(principal, id);
  }

  @Post('calls/:id/hangup') @HttpCode(200)
  hangup(@CurrentPrincipal() p: Principal, @Param('id') id: string): Promise<CallView> { return this.calls.command(p, id, 'hangup'); }

  @Post('calls/:id/hold') @HttpCode(200)
  hold(@CurrentPrincipal() p: Principal, @Param('id') id: string): Promise<CallView> { return this.calls.command(p, id, 'hold'); }

  @Post('calls/:id/resume') @HttpCode(200)
  resume(@CurrentPrincipal() p: Principal, @Param('id') id: string): Promise<CallView> { return this.calls.command(p, id, 'resume'); }

  @Post('calls/:id/mute') @HttpCode(200)
  mute(@CurrentPrincipal() p: Principal, @Param('id') id: string): Promise<CallView> { return this.calls.command(p, id, 'mute'); }

  @Post('calls/:id/unmute') @HttpCode(200)
  unmute(@CurrentPrincipal() p: Principal, @Param('id') id: string): Promise<CallView> { return this.calls.command(p, id, 'unmute'); }

  @Post('calls/:id/dtmf') @HttpCode(200)
  dtmf(@CurrentPrincipal() p: Principal, @Param('id') id: string, @Body() body: DtmfDto): Promise<CallView> {
    return this.calls.command(p, id, 'dtmf', body.digits);
  }

  @Post('calls/:id/transfer') @HttpCode(200)
  transfer(@CurrentPrincipal() p: Principal, @Param('id') id: string, @Body() body: TransferDto): Promise<CallView> {
    return this.calls.command(p, id, 'transfer', body.to);
  }
}
