import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { IsIn } from 'class-validator';
import { CurrentPrincipal } from '../common/auth/auth.decorators';
import type { Principal } from '../common/auth/principal';
import { Roles } from '../common/auth/roles.decorator';
import { Omittable } from '../common/errors/validation';
import type { CallView } from '../calls/call.view';
import type { CallbackView } from './callback.view';
import { CallbacksService } from './callbacks.service';
import { CALLBACK_STATES, type CallbackState } from './domain/callback-task';

export class ListCallbacksQuery {
  /** Only the tasks in this state. */
  @Omittable() @IsIn(CALLBACK_STATES) state?: CallbackState;
}

/** Callback tasks of inbound callers whose queue wait timed out (README: inbound calls). */
@Controller('v1/callbacks')
@Roles('agent', 'supervisor', 'admin')
export class CallbacksController {
  constructor(private readonly callbacks: CallbacksService) {}

  @Get()
  list(@CurrentPrincipal() principal: Principal, @Query() query: ListCallbacksQuery): Promise<{ items: CallbackView[] }> {
    return this.callbacks.list(principal, query.state ? [query.state] : []);
  }

  @Get(':id')
  get(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<CallbackView> {
    return this.callbacks.get(principal, id);
  }

  /** Calls the caller back from the agent's device, in the task's conversation: one call however many clicks. */
  @Post(':id/dial')
  @HttpCode(200)
  dial(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<CallbackView & { call: CallView }> {
    return this.callbacks.dial(principal, id);
  }

  @Post(':id/cancel')
  @HttpCode(200)
  cancel(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<CallbackView> {
    return this.callbacks.cancel(principal, id);
  }
}
