import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Post, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { CurrentPrincipal } from '../common/auth/auth.decorators';
import { Roles } from '../common/auth/roles.decorator';
import type { Principal } from '../common/auth/principal';
import { DomainError, ErrorCode } from '../common/errors/domain-error';
import { byteRange } from './domain/byte-range';
import { RecordingCommandDto } from './dto/recording.dto';
import { recordingView, type RecordingView } from './recording.view';
import { RecordingsService } from './recordings.service';
import { RecordingStorage } from './storage/recording-storage.port';
import { UnitOfWork } from '../unit-of-work/unit-of-work';
import { callForMedia } from './media-access';

/**
 * Recording a call and playing it back. Agents control the recordings of their own conversations'
 * calls, supervisors and admins any call of their tenant; only admins delete (erasure requests).
 */
@Controller('v1')
@Roles('agent', 'supervisor', 'admin')
export class RecordingsController {
  constructor(
    private readonly recordings: RecordingsService,
    private readonly storage: RecordingStorage,
    private readonly uow: UnitOfWork,
  ) {}

  /** start | pause | resume | stop: 200 with the recording as it is after the command. */
  @Post('calls/:id/recording')
  @HttpCode(200)
  command(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Body() body: RecordingCommandDto): Promise<RecordingView> {
    return this.recordings.command(principal, id, body.action);
  }

  /** The call's recordings, oldest first. */
  @Get('calls/:id/recordings')
  async ofCall(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<{ items: RecordingView[] }> {
    await callForMedia(this.uow.direct, principal, id);
    return { items: (await this.uow.direct.recordings.ofCall(principal.tenantId, id)).map(recordingView) };
  }

  /** The WAV file, with HTTP Range (206) so a browser's `<audio>` can seek; 416 for a range it cannot serve. */
  @Get('recordings/:id')
  async play(
    @CurrentPrincipal() principal: Principal, @Param('id') id: string, @Headers('range') range: string | undefined, @Res() reply: FastifyReply,
  ): Promise<void> {
    const recording = await this.recordings.find(principal, id);
    if (recording.state === 'deleted') throw DomainError.notFound('recording');
    if (recording.state !== 'available' || !recording.storageKey) throw new DomainError(ErrorCode.Conflict, `the recording is not available yet (${recording.state})`);
    const size = await this.storage.size(recording.storageKey);
    if (size === undefined) throw new DomainError(ErrorCode.Unavailable, 'the recording file cannot be read; retry later');
    const answer = byteRange(range, size);
    void reply.headers({
      'content-type': 'audio/wav', 'accept-ranges': 'bytes', 'cache-control': 'private, no-store',
      'content-disposition': `inline; filename="${recording.id}.wav"`, 'x-content-type-options': 'nosniff',
    });
    if (answer.kind === 'unsatisfiable') {
      await reply.code(416).header('content-range', `bytes */${size}`).type('application/problem+json')
        .send({ type: 'about:blank', title: 'Range Not Satisfiable', status: 416, detail: `the range must be one "bytes=start-end" within ${size} bytes` });
      return;
    }
    if (answer.kind === 'whole') {
      await reply.code(200).header('content-length', String(size)).send(this.storage.read(recording.storageKey));
      return;
    }
    await reply.code(206).header('content-range', `bytes ${answer.start}-${answer.end}/${size}`).header('content-length', String(answer.end - answer.start + 1))
      .send(this.storage.read(recording.storageKey, answer));
  }

  @Delete('recordings/:id')
  @Roles('admin')
  @HttpCode(204)
  async remove(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<void> {
    await this.recordings.delete(principal, id);
  }
}
