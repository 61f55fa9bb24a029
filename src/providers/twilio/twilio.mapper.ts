import type { SmsState } from '../../messaging/domain/sms-state';

/** Every Twilio Message status (Message resource docs), mapped to ours; undefined means "ignore". */
export function mapTwilioMessageStatus(status: string): SmsState | undefined {
  switch (status) {
    case 'accepted':
    case 'scheduled':
    case 'queued':
      return 'queued';
    case 'sending':
      return 'sending';
    case 'sent':
      return 'sent';
    case 'delivered':
    case 'read':
      return 'delivered';
    case 'partially_delivered':
    case 'undelivered':
      return 'undelivered';
    case 'failed':
    case 'canceled':
      return 'failed';
    case 'receiving':
    case 'received':
      return 'received';
    default:
      return undefined;
  }
}
