import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { CurrentPrincipal, Public } from '../../common/auth/auth.decorators';
import { Roles } from '../../common/auth/roles.decorator';
import type { Principal } from '../../common/auth/principal';
import { StartStreamDto } from '../dto/stream.dto';
import { AudioStreamsService, type StreamView } from './audio-streams.service';
import { StreamSigner } from './stream-signing';

/**
 * Pushing a call's live audio to a receiver (a transcription or voice-AI service). Supervisors
 * and admins only — an API key of an integration, a supervisor's tool: audio leaving the gateway
 * for a URL someone typed is not an agent's decision.
 */
@Controller('v1')
@Roles('supervisor', 'admin')
export class AudioStreamsController {
  constructor(private readonly streams: AudioStreamsService, private readonly signer: StreamSigner) {}

  /** 201 once the receiver accepted the connection; 502 when it refused or did not answer. */
  @Post('calls/:id/streams')
  @HttpCode(201)
  start(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Body() body: StartStreamDto): Promise<StreamView> {
    return this.streams.start(principal, id, body);
  }

  /** The call's streams pushed from this instance. */
  @Get('calls/:id/streams')
  async list(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<{ items: StreamView[] }> {
    return { items: await this.streams.list(principal, id) };
  }

  @Delete('calls/:id/streams/:streamId')
  @HttpCode(204)
  async stop(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Param('streamId') streamId: string): Promise<void> {
    await this.streams.stop(principal, id, streamId);
  }

  /** The public key receivers verify stream tokens with (a JWK Set); no secret, so no auth. */
  @Get('streams/keys')
  @Public()
  keys(): Promise<{ keys: object[] }> {
    return this.signer.jwks();
  }
}
