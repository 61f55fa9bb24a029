import { Body, Controller, Header, HttpCode, Post, Query } from '@nestjs/common';
import { UseGuards } from '@nestjs/common';
import { Public } from '../../common/auth/auth.decorators';
import { DomainError } from '../../common/errors/domain-error';
import { CallbackUrls } from '../callbacks/callback-urls';
import { InboundCallReceiver } from '../inbound-call.port';
import { TwilioSignatureGuard } from './twilio-signature.guard';
import { TWILIO_VOICEMAIL_DONE_PATH } from './twilio-voicemail';
import { HANGUP_TWIML } from './twilio.voice';
import { holdTwiml, incomingTwiml, readTwilioIncomingCall } from './twilio-inbound.mapper';

const HOLD_PATH = '/webhooks/twilio/voice/hold';

/**
 * Twilio's "A call comes in" webhook of the tenants' numbers (`/webhooks/twilio/voice/incoming`,
 * signed by Twilio like every Twilio webhook), and the hold music the waiting caller's conference
 * fetches. The number's status callback is `/webhooks/twilio/voice/status` (events: completed).
 */
@Controller('webhooks/twilio')
@Public()
@UseGuards(TwilioSignatureGuard)
export class TwilioInboundController {
  constructor(private readonly inbound: InboundCallReceiver, private readonly callbacks: CallbackUrls) {}

  @Post('voice/incoming')
  @HttpCode(200)
  @Header('content-type', 'text/xml')
  async incoming(@Body() params: Record<string, unknown>): Promise<string> {
    const verdict = await this.inbound.incoming(readTwilioIncomingCall(params ?? {}));
    // The music's URL is ours to sign: a request can make the hold route play only what a tenant configured.
    return incomingTwiml(verdict, (music) => this.callbacks.url(HOLD_PATH, { music }));
  }

  /** Where `<Record>` of a voicemail goes when it is over (twilio-voicemail.ts): the call ends. */
  @Post(TWILIO_VOICEMAIL_DONE_PATH.slice('/webhooks/twilio/'.length))
  @HttpCode(200)
  @Header('content-type', 'text/xml')
  voicemailDone(): string {
    return HANGUP_TWIML;
  }

  @Post('voice/hold')
  @HttpCode(200)
  @Header('content-type', 'text/xml')
  hold(@Query('music') music?: string): string {
    if (typeof music !== 'string' || !music) throw DomainError.invalidField('music', 'is required');
    return holdTwiml(music);
  }
}
