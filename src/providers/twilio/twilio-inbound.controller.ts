import { Body, Controller, Header, HttpCode, Post, Query } from '@nestjs/common';
import { UseGuards } from '@nestjs/common';
import { Public } from '../../common/auth/auth.decorators';
import { DomainError } from '../../common/errors/domain-error';
import { CallbackUrls } from '../callbacks/callback-urls';
import { InboundCallReceiver } from '../inbound-call.port';
import { TwilioSignatureGuard } from './twilio-signature.guard';
import { TWILIO_VOICEMAIL_DONE_PATH } from './twilio-voicemail';
import { QueueChoiceReceiver } from '../queue-choice.port';
import { TWILIO_QUEUE_CHOICE_PATH, queueChoiceStepTwiml } from './twilio-queue-choice';
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
  constructor(private readonly inbound: InboundCallReceiver, private readonly callbacks: CallbackUrls, private readonly choices: QueueChoiceReceiver) {}

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

  /**
   * `<Gather>` of the queue timeout's question posts the caller's key here (twilio-queue-choice.ts):
   * the call is the one our signature of the URL names (`cid`); `Digits` absent: no key pressed.
   */
  @Post(TWILIO_QUEUE_CHOICE_PATH.slice('/webhooks/twilio/'.length))
  @HttpCode(200)
  @Header('content-type', 'text/xml')
  async queueChoice(@Body() params: Record<string, unknown>, @Query('cid') cid?: unknown): Promise<string> {
    if (typeof cid !== 'string' || !cid) throw DomainError.invalidField('cid', 'is not a queue choice hook of this gateway');
    const digits = params?.Digits;
    if (digits !== undefined && (typeof digits !== 'string' || !/^[0-9*#]{0,20}$/.test(digits))) throw DomainError.invalidField('Digits', 'must be keys of a phone');
    return queueChoiceStepTwiml(await this.choices.chosen(cid, digits ?? ''), this.callbacks);
  }

  @Post('voice/hold')
  @HttpCode(200)
  @Header('content-type', 'text/xml')
  hold(@Query('music') music?: string): string {
    if (typeof music !== 'string' || !music) throw DomainError.invalidField('music', 'is required');
    return holdTwiml(music);
  }
}
