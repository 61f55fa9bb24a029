import pino, { type Logger } from 'pino';
import { maskDeep, maskText } from '../masking/mask';

/**
 * The process logger: JSON lines, every string argument and field masked (phone numbers,
 * e-mails, card-like digits), and secrets redacted by key.
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'contact-gateway' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: ['authorization', 'headers.authorization', '*.authorization', 'token', '*.token', 'secret', '*.secret', 'password'],
        censor: '[redacted]',
      },
      formatters: {
        log: (object) => maskDeep(object) as Record<string, unknown>,
      },
      hooks: {
        logMethod(args, method) {
          const masked = args.map((a) => (typeof a === 'string' ? maskText(a) : a));
          method.apply(this, masked as Parameters<typeof method>);
        },
      },
    },
    destination,
  );
}
