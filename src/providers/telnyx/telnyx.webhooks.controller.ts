import { Body, Controller, HttpCode, Post, Query, UseGuards } from '@nestjs/common';
import { Public } from '../../common/auth/auth.decorators';
import { InboundSmsReceiver, SmsStatusReceiver } from '../sms-provider.port';
import { TelnyxSignatureGuard } from './telnyx-signature.guard';
import { readTelnyxEvent } from './telnyx-webhook.mapper';

/**
 * Telnyx's messaging webhooks: signed JSON events, each answered 204 once its fact is stored
 * (Telnyx wants a 2xx within 2 s and retries otherwise).
 *
 * One route, as Telnyx has one URL per message and names the event in the body: the messaging
 * profile's webhook URL (`/webhooks/telnyx/sms`) gets customers' messages, and each message we
 * send carries `/webhooks/telnyx/sms?mid=…&sig=…` as its `webhook_url` for its `message.sent`
 * and `message.finalized`. The guard has checked both signatures before the body is read.
 */
@Controller('webhooks/telnyx')
@Public()
@UseGuards(TelnyxSignatureGuard)
export class TelnyxWebhooksController {
  constructor(
    private readonly inbound: InboundSmsReceiver,
    private readonly statuses: SmsStatusReceiver,
  ) {}

  @Post('sms')
  @HttpCode(204)
  async sms(@Body() body: unknown, @Query('mid') mid?: string): Promise<void> {
    const event = readTelnyxEvent(asObject(body), mid);
    if (event.kind === 'inbound') await this.inbound.receive(event.message);
    else if (event.kind === 'status' && event.report) await this.statuses.applyStatus(event.report);
    // Any other event type (a profile may subscribe to more) is acknowledged and ignored.
  }
}

function asObject(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return {};
  return body as Record<string, unknown>;
}
