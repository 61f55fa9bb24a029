import { Body, Controller, HttpCode, Inject, Optional, Post, Query, UseGuards } from '@nestjs/common';
import { Public } from '../../common/auth/auth.decorators';
import { DomainError, ErrorCode } from '../../common/errors/domain-error';
import { APP_CONFIG } from '../../config/app-config.token';
import type { AppConfig } from '../../config/config.schema';
import { RecordingReportReceiver } from '../call-media.port';
import { fetchMedia } from '../media-fetch';
import { TenantAccounts } from '../tenant-accounts.port';
import { readTwilioRecordingStatus, recordingWavUrl, twilioRecordingPolicy } from './twilio-recording.mapper';
import { TwilioSignatureGuard } from './twilio-signature.guard';
import { TWILIO_RECORDING_STATUS_PATH } from './twilio.media';

/**
 * Twilio's recording status callback. Our recording comes from the URL the gateway signed when it
 * started the recording (`rid`), never from the body; the body's RecordingSid must be the one
 * Twilio gave us for it, and the audio is fetched only from that recording's own resource.
 */
@Controller(TWILIO_RECORDING_STATUS_PATH.slice(1))
@Public()
@UseGuards(TwilioSignatureGuard)
export class TwilioRecordingWebhooksController {
  constructor(
    private readonly recordings: RecordingReportReceiver,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Optional() private readonly accounts?: TenantAccounts,
  ) {}

  @Post()
  @HttpCode(204)
  async status(@Body() params: Record<string, unknown>, @Query('rid') rid?: string): Promise<void> {
    if (!rid) throw new DomainError(ErrorCode.Forbidden, 'the callback URL names no recording of this gateway');
    const report = readTwilioRecordingStatus(params);
    // The gateway's account, or a tenant's own one (its recordings are fetched with its credentials).
    const own = this.accounts?.accountsWith('twilio').find((a) => a.fields.accountSid === report.accountSid);
    const settings = own ? { ...this.config.providers.twilio, ...own.fields } : this.config.providers.twilio;
    if (report.accountSid !== settings.accountSid) throw DomainError.invalidField('AccountSid', 'is not an account of this gateway');
    const base = { provider: 'twilio', recordingId: rid, providerRef: report.recordingSid };
    if (report.status === 'absent') return this.recordings.absent(base);
    if (report.status !== 'completed') return;
    const policy = twilioRecordingPolicy(settings, report.recordingSid);
    const outcome = await this.recordings.recorded({
      ...base, durationSeconds: report.durationSeconds,
      fetch: () => fetchMedia(recordingWavUrl(report.url), 'GET', policy) ?? Promise.resolve(undefined),
    });
    // A signed callback of a recording we do not know: nothing to do, and nothing Twilio should retry.
    void outcome;
  }
}
