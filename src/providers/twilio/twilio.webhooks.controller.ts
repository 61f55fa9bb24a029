import { Body, Controller, Header, HttpCode, Post, Query, UseGuards } from '@nestjs/common';
import { CallsService } from '../../calls/calls.service';
import { Public } from '../../common/auth/auth.decorators';
import { InboundMessagingService } from '../../messaging/inbound-messaging.service';
import { OutboundMessagingService } from '../../messaging/outbound-messaging.service';
import { TwilioSignatureGuard } from './twilio-signature.guard';
import { readTwilioCallStatus, readTwilioInbound, readTwilioStatus } from './twilio-webhook.mapper';

const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>';

/** Twilio's voice and messaging webhooks (contract §6); each answers only once its fact is stored. */
@Controller('webhooks/twilio')
@Public()
@UseGuards(TwilioSignatureGuard)
export class TwilioWebhooksController {
  constructor(
    private readonly inbound: InboundMessagingService,
    private readonly outbound: OutboundMessagingService,
    private readonly calls: CallsService,
  ) {}

  @Post('sms')
  @HttpCode(200)
  @Header('content-type', 'text/xml')
  async sms(@Body() params: Record<string, unknown>): Promise<string> {
    await this.inbound.receive(readTwilioInbound(params));
    return EMPTY_TWIML;
  }

  /** TwiML for a call the gateway placed: the answered customer joins the conference with the agent. */
  @Post('voice')
  @HttpCode(200)
  @Header('content-type', 'text/xml')
  voice(@Query('cid') cid?: string): Promise<string> {
    return this.calls.twilioBridge(cid ?? '');
  }

  @Post('voice/status')
  @HttpCode(204)
  async voiceStatus(@Body() params: Record<string, unknown>, @Query('cid') cid?: string): Promise<void> {
    const report = readTwilioCallStatus(params, cid);
    if (report) await this.calls.report(report);
  }

  @Post('sms/status')
  @HttpCode(204)
  async smsStatus(@Body() params: Record<string, unknown>, @Query('mid') mid?: string): Promise<void> {
    const report = readTwilioStatus(params, mid);
    if (report) await this.outbound.applyStatus(report);
  }
}
