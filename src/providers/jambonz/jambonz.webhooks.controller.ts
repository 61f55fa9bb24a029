import { Body, Controller, HttpCode, Post, Query, UseGuards } from '@nestjs/common';
import { AGENT_ENDPOINT } from '../../calls/domain/agent-endpoint';
import { Public } from '../../common/auth/auth.decorators';
import { DomainError } from '../../common/errors/domain-error';
import { InboundSmsReceiver, SmsStatusReceiver } from '../sms-provider.port';
import { CallbackUrls } from '../callbacks/callback-urls';
import { CallCallbackReceiver, VoiceAdapters } from '../voice-provider.port';
import { ParticipantCallbackReceiver } from '../voice-participants.port';
import { dialListen } from './jambonz-listen';
import { JambonzSignatureGuard } from './jambonz-signature.guard';
import { JambonzVoiceProvider } from './jambonz.voice';
import { jambonzRefs } from './jambonz.participants';
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
    private readonly callbacks: CallbackUrls,
    private readonly participants: ParticipantCallbackReceiver,
    private readonly adapters: VoiceAdapters,
  ) {}

  /**
   * call_hook of a placed call (and of a transfer redirect): verbs that dial the agent or target,
   * with a listen of the bridged call to the gateway bound to this call and the customer's leg
   * (`call_sid` of the hook, whose body jambonz signed).
   */
  @Post('call')
  @HttpCode(200)
  async call(@Body() body: Record<string, unknown>, @Query('cid') cid?: string, @Query('transfer') transfer?: string): Promise<unknown[]> {
    if (transfer !== undefined && !AGENT_ENDPOINT.test(transfer)) throw DomainError.invalidField('transfer', 'is not a dial target');
    const answered = await this.calls.answered(cid ?? '', 'jambonz');
    const sid = asObject(body).call_sid;
    const listen = answered && typeof sid === 'string' && /^[\w-]{1,100}$/.test(sid) ? dialListen(this.callbacks, answered.callId, sid) : undefined;
    // A dial again (a transfer out of the call's conference): the conference's legs are no longer the call's (jambonz.participants.ts).
    if (answered && transfer !== undefined) await this.calls.rememberRefs(answered.callId, { [jambonzRefs.conference]: '', [jambonzRefs.agentLeg]: '' });
    return JambonzVoiceProvider.answerVerbs(answered, transfer, listen);
  }

  @Post('call/status')
  @HttpCode(204)
  async callStatus(@Body() body: Record<string, unknown>, @Query('cid') cid?: string): Promise<void> {
    const report = readJambonzCallStatus(asObject(body), cid);
    if (report) await this.calls.report(report);
    // The agent's leg (the dial's child, `parent_call_sid`) ending once the call is in its
    // conference: the customer stays with whoever else is there (jambonz.participants.ts).
    const fact = report?.fact;
    if (fact?.kind !== 'ended' || !cid || typeof asObject(body).parent_call_sid !== 'string') return;
    const call = await this.calls.answered(cid, 'jambonz');
    if (call && (this.adapters.voiceByName('jambonz', call.tenantId) as JambonzVoiceProvider | undefined)?.participants.inConference(cid)) {
      await this.participants.report({ provider: 'jambonz', callId: cid, participantId: `${cid}-agent`, fact });
    }
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
