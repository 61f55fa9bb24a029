import { Body, Controller, HttpCode, Post, Query, UseGuards } from '@nestjs/common';
import { Public } from '../../common/auth/auth.decorators';
import { DomainError } from '../../common/errors/domain-error';
import { CallbackUrls } from '../callbacks/callback-urls';
import { InboundCallReceiver } from '../inbound-call.port';
import { voicemailVerbs } from './jambonz-listen';
import { JambonzSignatureGuard } from './jambonz-signature.guard';
import { incomingVerbs, readJambonzIncomingCall } from './jambonz-inbound.mapper';
import { QueueChoiceReceiver } from '../queue-choice.port';
import { callbackConfirmVerbs, queueChoiceStepVerbs, queueChoiceVerbs } from './jambonz-queue-choice';

/**
 * The call_hook of the jambonz application the tenants' numbers route to
 * (`/webhooks/jambonz/call/incoming`, signed with Jambonz-Signature); its call_status_hook is
 * `/webhooks/jambonz/call/status`.
 */
@Controller('webhooks/jambonz')
@Public()
@UseGuards(JambonzSignatureGuard)
export class JambonzInboundController {
  constructor(private readonly inbound: InboundCallReceiver, private readonly callbacks: CallbackUrls, private readonly choices: QueueChoiceReceiver) {}

  @Post('call/incoming')
  @HttpCode(200)
  async incoming(@Body() body: unknown): Promise<unknown[]> {
    const fields = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
    return incomingVerbs(await this.inbound.incoming(readJambonzIncomingCall(fields)));
  }

  /**
   * The call_hook a waiting caller's leg is redirected to at the queue timeout
   * (JambonzVoiceProvider.takeVoicemail): every parameter comes from the URL the gateway signed;
   * the listen is bound to the leg whose hook this is (`call_sid`, signed by jambonz).
   */
  @Post('call/voicemail')
  @HttpCode(200)
  voicemail(@Body() body: unknown, @Query() query: Record<string, unknown>): unknown[] {
    const { cid, rid, prompt, max } = query;
    if (typeof cid !== 'string' || typeof rid !== 'string' || typeof prompt !== 'string' || typeof max !== 'string' || !/^\d{1,4}$/.test(max)) {
      throw DomainError.invalidField('query', 'is not a voicemail hook of this gateway');
    }
    const fields = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
    const sid = fields.call_sid;
    if (typeof sid !== 'string' || !/^[\w-]{1,100}$/.test(sid)) throw DomainError.invalidField('call_sid', 'must be a jambonz call sid');
    return voicemailVerbs(this.callbacks, { callId: cid, sid, recordingId: rid, prompt, maxSeconds: Number(max) });
  }

  /** The call_hook of the queue timeout's question (JambonzVoiceProvider.askQueueChoice): the prompt comes from the URL the gateway signed. */
  @Post('call/queue-choice')
  @HttpCode(200)
  queueChoice(@Query() query: Record<string, unknown>): unknown[] {
    const { cid, prompt } = query;
    if (typeof cid !== 'string' || !cid || typeof prompt !== 'string') throw DomainError.invalidField('query', 'is not a queue choice hook of this gateway');
    return queueChoiceVerbs(this.callbacks, cid, prompt);
  }

  /**
   * The gather's actionHook: the caller's key (`digits`; absent on a timeout). The call is the one
   * our signature of the URL names; the voicemail's listen is bound to the leg whose hook this is.
   */
  @Post('call/queue-choice/digits')
  @HttpCode(200)
  async queueChoiceDigits(@Body() body: unknown, @Query() query: Record<string, unknown>): Promise<unknown[]> {
    const { cid } = query;
    if (typeof cid !== 'string' || !cid) throw DomainError.invalidField('query', 'is not a queue choice hook of this gateway');
    const fields = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
    const sid = fields.call_sid;
    if (typeof sid !== 'string' || !/^[\w-]{1,100}$/.test(sid)) throw DomainError.invalidField('call_sid', 'must be a jambonz call sid');
    const digits = fields.digits;
    if (digits !== undefined && digits !== null && (typeof digits !== 'string' || !/^[0-9*#]{0,20}$/.test(digits))) throw DomainError.invalidField('digits', 'must be keys of a phone');
    return queueChoiceStepVerbs(await this.choices.chosen(cid, typeof digits === 'string' ? digits : ''), this.callbacks, cid, sid);
  }

  /** The call_hook of a caller offered a callback (JambonzVoiceProvider.confirmCallback): the confirmation, then hang up. */
  @Post('call/callback-confirm')
  @HttpCode(200)
  callbackConfirm(@Query() query: Record<string, unknown>): unknown[] {
    const { cid, prompt } = query;
    if (typeof cid !== 'string' || !cid || typeof prompt !== 'string') throw DomainError.invalidField('query', 'is not a callback hook of this gateway');
    return callbackConfirmVerbs(prompt);
  }
}
