/**
 * The standard reason phrase of a SIP final response code (RFC 3261 §21 and later RFCs), for a
 * provider that reports only the code: Twilio's `SipResponseCode` on a call's status callback.
 */
const PHRASES: Readonly<Record<number, string>> = {
  400: 'Bad Request', 401: 'Unauthorized', 402: 'Payment Required', 403: 'Forbidden', 404: 'Not Found',
  405: 'Method Not Allowed', 407: 'Proxy Authentication Required', 408: 'Request Timeout', 410: 'Gone',
  413: 'Request Entity Too Large', 414: 'Request-URI Too Long', 415: 'Unsupported Media Type', 416: 'Unsupported URI Scheme',
  420: 'Bad Extension', 423: 'Interval Too Brief', 480: 'Temporarily Unavailable', 481: 'Call/Transaction Does Not Exist',
  482: 'Loop Detected', 483: 'Too Many Hops', 484: 'Address Incomplete', 485: 'Ambiguous', 486: 'Busy Here',
  487: 'Request Terminated', 488: 'Not Acceptable Here', 491: 'Request Pending', 493: 'Undecipherable',
  500: 'Server Internal Error', 501: 'Not Implemented', 502: 'Bad Gateway', 503: 'Service Unavailable',
  504: 'Server Time-out', 505: 'Version Not Supported', 513: 'Message Too Large',
  600: 'Busy Everywhere', 603: 'Decline', 604: 'Does Not Exist Anywhere', 606: 'Not Acceptable',
};

/** `486` → `Busy Here`; a code without a standard phrase reads as `SIP <code>`. */
export function sipReasonPhrase(code: number): string {
  return PHRASES[code] ?? `SIP ${code}`;
}
