import { Body, Controller, HttpCode, Post, Query, UseGuards } from '@nestjs/common';
import { AGENT_ENDPOINT } from '../../calls/domain/agent-endpoint';
import { Public } from '../../common/auth/auth.decorators';
import { DomainError } from '../../common/errors/domain-error';
import { InboundSmsReceiver, SmsStatusReceiver } from '../sms-provider.port';
import { CallCallbackReceiver } from '../voice-provider.port';
import { JambonzSignatureGuard } from './jambonz-signature.guard';
import { JambonzVoiceProvider } from './jambonz.voice';
import { readJambonzCallStatus, readJambonzInbound, readJambonzStatus } from './jambonz-webhook.mapper';

/** jambonz's call and messaging webhooks (contract §6): signed JSON, answered once stored. */
@Controller('webhooks/jambonz')
@Public()
@UseGuards(JambonzSignatureGuard)
export class JambonzWebhooksController {
  constructor(
    private readonly inbound: InboundSmsReceiver,
    private readonly outbound: SmsStatusReceiver,
    private readonly calls: CallCallbackReceiver,
  ) {}

  /** call_hook of a placed call (and of a transfer redirect): verbs that dial the agent or target. */
  @Post('call')
  @HttpCode(200)
  async call(@Query('cid') cid?: string, @Query('transfer') transfer?: string): Promise<unknown[]> {
    if (transfer !== undefined && !AGENT_ENDPOINT.test(transfer)) throw DomainError.invalidField('transfer', 'is not a dial target');
    return JambonzVoiceProvider.answerVerbs(await this.calls.answered(cid ?? '', 'jambonz'), transfer);
  }

  @Post('call/status')
  @HttpCode(204)
  async callStatus(@Body() body: Record<string, unknown>, @Query('cid') cid?: string): Promise<void> {
    const report = readJambonzCallStatus(asObject(body), cid);
    if (report) await this.calls.report(report);
  }

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
