import type { SmsState } from '../../messaging/domain/sms-state';

/**
 * Every delivery status of an outbound Telnyx message (`to[].status` of the message resource, as
 * the telnyx-node SDK's `messages.ts` types it), mapped to ours; undefined means "ignore".
 */
export function mapTelnyxMessageStatus(status: string): SmsState | undefined {
  switch (status) {
    case 'scheduled':
    case 'queued':
      return 'queued';
    case 'sending':
      return 'sending';
    case 'sent':
    // Finalized without a carrier receipt: it left Telnyx, and nothing says it was lost.
    case 'delivery_unconfirmed':
      return 'sent';
    case 'delivered':
      return 'delivered';
    // The carrier had it and could not deliver it (in time).
    case 'delivery_failed':
    case 'expired':
      return 'undelivered';
    // It never left Telnyx.
    case 'sending_failed':
    case 'cancelled':
      return 'failed';
    default:
      return undefined;
  }
}
