import { Body, Controller, HttpCode, Post, Query, UseGuards } from '@nestjs/common';
import { Public } from '../../common/auth/auth.decorators';
import { ParticipantCallbackReceiver } from '../voice-participants.port';
import { TwilioSignatureGuard } from './twilio-signature.guard';
import { mapTwilioCallStatus } from './twilio-voice.mapper';
import { PARTICIPANT_STATUS_PATH } from './twilio.participants';

/**
 * The status callbacks of the legs of parties added to a call's conference (consulted colleagues,
 * added parties, supervisors). The call and participant ids come from the URL the gateway signed
 * when it added the party, so a callback can only speak of that party of that call.
 */
@Controller(PARTICIPANT_STATUS_PATH.slice(1))
@Public()
@UseGuards(TwilioSignatureGuard)
export class TwilioParticipantsWebhooksController {
  constructor(private readonly participants: ParticipantCallbackReceiver) {}

  @Post()
  @HttpCode(204)
  async status(@Body() params: Record<string, unknown>, @Query('cid') cid?: string, @Query('pid') pid?: string): Promise<void> {
    const fact = typeof params.CallStatus === 'string' ? mapTwilioCallStatus(params.CallStatus) : undefined;
    if (fact && cid && pid) await this.participants.report({ provider: 'twilio', callId: cid, participantId: pid, fact });
  }
}
