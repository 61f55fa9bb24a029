import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { Public } from '../../common/auth/auth.decorators';
import { InboundCallReceiver } from '../inbound-call.port';
import { JambonzSignatureGuard } from './jambonz-signature.guard';
import { incomingVerbs, readJambonzIncomingCall } from './jambonz-inbound.mapper';

/**
 * The call_hook of the jambonz application the tenants' numbers route to
 * (`/webhooks/jambonz/call/incoming`, signed with Jambonz-Signature); its call_status_hook is
 * `/webhooks/jambonz/call/status`.
 */
@Controller('webhooks/jambonz')
@Public()
@UseGuards(JambonzSignatureGuard)
export class JambonzInboundController {
  constructor(private readonly inbound: InboundCallReceiver) {}

  @Post('call/incoming')
  @HttpCode(200)
  async incoming(@Body() body: unknown): Promise<unknown[]> {
    const fields = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
    return incomingVerbs(await this.inbound.incoming(readJambonzIncomingCall(fields)));
  }
}
