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

/**
 * The titles of Twilio's messaging error codes a status callback's `ErrorCode` most often carries
 * (the callback sends the code alone); any other code reads as `Twilio error <code>`.
 */
const MESSAGE_ERRORS: Readonly<Record<string, string>> = {
  '30001': 'Queue overflow', '30002': 'Account suspended', '30003': 'Unreachable destination handset',
  '30004': 'Message blocked', '30005': 'Unknown destination handset', '30006': 'Landline or unreachable carrier',
  '30007': 'Message filtered', '30008': 'Unknown error', '30034': 'Message from an unregistered number',
  '21610': 'Attempt to send to unsubscribed recipient',
};

export function twilioMessageErrorText(code: string): string {
  return MESSAGE_ERRORS[code] ?? `Twilio error ${code}`;
}
