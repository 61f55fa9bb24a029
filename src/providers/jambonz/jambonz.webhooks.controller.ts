import { Body, Controller, HttpCode, Post, Query, UseGuards } from '@nestjs/common';
import { Public } from '../../common/auth/auth.decorators';
import { InboundMessagingService } from '../../messaging/inbound-messaging.service';
import { OutboundMessagingService } from '../../messaging/outbound-messaging.service';
import { JambonzSignatureGuard } from './jambonz-signature.guard';
import { readJambonzInbound, readJambonzStatus } from './jambonz-webhook.mapper';

/** jambonz's messaging webhooks (contract §6): signed JSON, answered once stored. */
@Controller('webhooks/jambonz')
@Public()
@UseGuards(JambonzSignatureGuard)
export class JambonzWebhooksController {
  constructor(
    private readonly inbound: InboundMessagingService,
    private readonly outbound: OutboundMessagingService,
  ) {}

  /** Answers an empty verb list: the gateway replies through the REST API, not in the hook. */
  @Post('sms')
  @HttpCode(200)
  async sms(@Body() body: Record<string, unknown>): Promise<unknown[]> {
    await this.inbound.receive(readJambonzInbound(asObject(body)));
    return [];
  }

  @Post('sms/status')
  @HttpCode(204)
  async smsStatus(@Body() body: Record<string, unknown>, @Query('mid') mid?: string): Promise<void> {
    const report = readJambonzStatus(asObject(body), mid);
    if (report) await this.outbound.applyStatus(report);
  }
}

function asObject(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return {};
  return body as Record<string, unknown>;
}
