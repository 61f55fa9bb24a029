import { Body, Controller, Header, HttpCode, Post, Query, UseGuards } from '@nestjs/common';
import { Public } from '../../common/auth/auth.decorators';
import { InboundMessagingService } from '../../messaging/inbound-messaging.service';
import { OutboundMessagingService } from '../../messaging/outbound-messaging.service';
import { TwilioSignatureGuard } from './twilio-signature.guard';
import { readTwilioInbound, readTwilioStatus } from './twilio-webhook.mapper';

const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>';

/** Twilio's messaging webhooks (contract §6); each answers only once its fact is stored. */
@Controller('webhooks/twilio')
@Public()
@UseGuards(TwilioSignatureGuard)
export class TwilioWebhooksController {
  constructor(
    private readonly inbound: InboundMessagingService,
    private readonly outbound: OutboundMessagingService,
  ) {}

  @Post('sms')
  @HttpCode(200)
  @Header('content-type', 'text/xml')
  async sms(@Body() params: Record<string, unknown>): Promise<string> {
    await this.inbound.receive(readTwilioInbound(params));
    return EMPTY_TWIML;
  }

  @Post('sms/status')
  @HttpCode(204)
  async smsStatus(@Body() params: Record<string, unknown>, @Query('mid') mid?: string): Promise<void> {
    const report = readTwilioStatus(params, mid);
    if (report) await this.outbound.applyStatus(report);
  }
}
