import { Body, Controller, HttpCode, Post, Query, UseGuards } from '@nestjs/common';
import type { ParticipantMode } from '../../calls/participants/domain/participant';
import { Public } from '../../common/auth/auth.decorators';
import { DomainError } from '../../common/errors/domain-error';
import { CallbackUrls } from '../callbacks/callback-urls';
import { ParticipantCallbackReceiver } from '../voice-participants.port';
import { CallCallbackReceiver, VoiceAdapters } from '../voice-provider.port';
import { CONFERENCE_JOIN_PATH, CONFERENCE_STATUS_PATH, conferenceVerb, jambonzConferenceName, PARTY_STATUS_PATH } from './jambonz-conference.mapper';
import { JambonzSignatureGuard } from './jambonz-signature.guard';
import { mapJambonzCallStatus } from './jambonz-voice.mapper';
import { jambonzRefs, type JambonzParticipants } from './jambonz.participants';
import type { JambonzVoiceProvider } from './jambonz.voice';

const MODES: readonly ParticipantMode[] = ['talk', 'private', 'monitor', 'whisper', 'barge'];
/** `customer`, `agent` or one of our participant ids. */
const REF = /^[\w-]{1,100}$/;
const SID = /^[\w-]{1,100}$/;

/**
 * The hooks of the legs in a call's jambonz conference (jambonz.participants.ts). Every call,
 * participant, mode and coached agent comes from the URL the gateway signed when it moved the
 * call or dialled the party, so a hook can only speak of that leg of that call; the leg's call_sid
 * comes from the body jambonz signed.
 */
@Controller('webhooks/jambonz')
@Public()
@UseGuards(JambonzSignatureGuard)
export class JambonzParticipantsWebhooksController {
  constructor(
    private readonly calls: CallCallbackReceiver,
    private readonly participants: ParticipantCallbackReceiver,
    private readonly adapters: VoiceAdapters,
    private readonly callbacks: CallbackUrls,
  ) {}

  /** call_hook (and child_call_hook) of a leg joining the call's conference: the `conference` verb, or a hangup when the call is over. */
  @Post(CONFERENCE_JOIN_PATH.slice('/webhooks/jambonz/'.length))
  @HttpCode(200)
  async join(@Body() body: unknown, @Query() query: Record<string, unknown>): Promise<unknown[]> {
    const { cid, pid, mode, coach } = query;
    if (typeof cid !== 'string' || typeof pid !== 'string' || !REF.test(pid) || !MODES.includes(mode as ParticipantMode)
      || (coach !== undefined && (typeof coach !== 'string' || !REF.test(coach)))) {
      throw DomainError.invalidField('query', 'is not a conference hook of this gateway');
    }
    const sid = callSid(body);
    const call = await this.calls.answered(cid, 'jambonz');
    if (!call) return [{ verb: 'hangup' }];
    this.control(call.tenantId)?.hooked(cid, pid, sid, mode as ParticipantMode);
    if (pid === 'agent') await this.calls.rememberRefs(cid, { [jambonzRefs.conference]: jambonzConferenceName(cid), [jambonzRefs.agentLeg]: sid });
    else if (pid !== 'customer') await this.calls.rememberRefs(cid, { [jambonzRefs.party(pid)]: sid });
    const statusHook = this.callbacks.url(CONFERENCE_STATUS_PATH, { cid });
    return [conferenceVerb(cid, { ref: pid, mode: mode as ParticipantMode, ...(typeof coach === 'string' ? { coach } : {}) }, statusHook)];
  }

  /** The conference's statusHook: `join` and `leave` of each member (`call_sid`), which the adapter waits on. */
  @Post(CONFERENCE_STATUS_PATH.slice('/webhooks/jambonz/'.length))
  @HttpCode(204)
  async status(@Body() body: unknown, @Query('cid') cid?: string): Promise<void> {
    if (typeof cid !== 'string') throw DomainError.invalidField('cid', 'is required');
    const event = fields(body).event;
    if (event !== 'join' && event !== 'leave') return;
    // A call over (or unknown) has no conference to follow.
    const call = await this.calls.answered(cid, 'jambonz');
    if (call) await this.control(call.tenantId)?.member(cid, event, callSid(body));
  }

  /** call_status_hook of a dialled party's leg. */
  @Post(PARTY_STATUS_PATH.slice('/webhooks/jambonz/'.length))
  @HttpCode(204)
  async party(@Body() body: unknown, @Query('cid') cid?: string, @Query('pid') pid?: string): Promise<void> {
    if (typeof cid !== 'string' || typeof pid !== 'string') throw DomainError.invalidField('query', 'is not a party status hook of this gateway');
    const status = fields(body).call_status;
    if (typeof status !== 'string' || status.length > 40) throw DomainError.invalidField('call_status', 'must be a jambonz call status');
    const fact = mapJambonzCallStatus(status);
    // A ringing party's leg is kept too, so a gateway restarted meanwhile can still cancel it.
    const sid = fields(body).call_sid;
    if (fact?.kind === 'ringing' && typeof sid === 'string' && SID.test(sid)) await this.calls.rememberRefs(cid, { [jambonzRefs.party(pid)]: sid });
    if (fact) await this.participants.report({ provider: 'jambonz', callId: cid, participantId: pid, fact });
  }

  /** The conference state lives in the adapter of the call's tenant (its own jambonz account, or the gateway's). */
  private control(tenantId: string): JambonzParticipants | undefined {
    return (this.adapters.voiceByName('jambonz', tenantId) as JambonzVoiceProvider | undefined)?.participants;
  }
}

function fields(body: unknown): Record<string, unknown> {
  return typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
}

function callSid(body: unknown): string {
  const sid = fields(body).call_sid;
  if (typeof sid !== 'string' || !SID.test(sid)) throw DomainError.invalidField('call_sid', 'must be a jambonz call sid');
  return sid;
}
