import { Body, Controller, Header, HttpCode, Post, Query, UseGuards } from '@nestjs/common';
import { Public } from '../../common/auth/auth.decorators';
import { InboundSmsReceiver, SmsStatusReceiver } from '../sms-provider.port';
import { CallCallbackReceiver, VoiceAdapters } from '../voice-provider.port';
import { TwilioSignatureGuard } from './twilio-signature.guard';
import { HANGUP_TWIML, TwilioVoiceProvider } from './twilio.voice';
import { readTwilioCallStatus, readTwilioInbound, readTwilioStatus } from './twilio-webhook.mapper';

const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>';

/** Twilio's voice and messaging webhooks (contract §6); each answers only once its fact is stored. */
@Controller('webhooks/twilio')
@Public()
@UseGuards(TwilioSignatureGuard)
export class TwilioWebhooksController {
  constructor(
    private readonly inbound: InboundSmsReceiver,
    private readonly outbound: SmsStatusReceiver,
    private readonly calls: CallCallbackReceiver,
    private readonly adapters: VoiceAdapters,
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
  async voice(@Query('cid') cid?: string): Promise<string> {
    const call = await this.calls.answered(cid ?? '', 'twilio');
    // The tenant's own Twilio account adds the agent to a call it placed through that account.
    const provider = this.adapters.voiceByName('twilio', call?.tenantId);
    if (!(provider instanceof TwilioVoiceProvider)) return HANGUP_TWIML;
    return provider.answerTwiml(call, (callId) => this.calls.claimAgentDial(callId));
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
