import type { SmsState } from '../../messaging/domain/sms-state';

/**
 * jambonz message statuses, as its messaging status hook reports them (the documented contract;
 * jambonz passes its carriers' words through, so Twilio-like words are understood as well).
 */
export function mapJambonzMessageStatus(status: string): SmsState | undefined {
  switch (status.toLowerCase()) {
    case 'queued':
    case 'accepted':
      return 'queued';
    case 'sending':
    case 'trying':
      return 'sending';
    case 'sent':
    case 'success':
      return 'sent';
    case 'delivered':
      return 'delivered';
    case 'undelivered':
      return 'undelivered';
    case 'failed':
    case 'failure':
    case 'rejected':
      return 'failed';
    default:
      return undefined;
  }
}
