import type { CallFact } from '../../calls/domain/call-state';

/** Every jambonz `call_status`, mapped to a fact of ours; undefined means "nothing to tell". */
export function mapJambonzCallStatus(status: string): CallFact | undefined {
  switch (status) {
    case 'trying':
      return undefined;
    case 'ringing':
    case 'early-media':
      return { kind: 'ringing' };
    case 'in-progress':
      return { kind: 'answered' };
    case 'completed':
      return { kind: 'ended', reason: 'completed' };
    case 'busy':
      return { kind: 'ended', reason: 'busy' };
    case 'no-answer':
      return { kind: 'ended', reason: 'no-answer' };
    case 'failed':
      return { kind: 'ended', reason: 'failed' };
    default:
      return undefined;
  }
}

/** A jambonz dial target for an agent endpoint or transfer target. */
export function jambonzTarget(endpoint: string): Record<string, string> {
  if (endpoint.startsWith('sip:') || endpoint.startsWith('sips:')) return { type: 'sip', sipUri: endpoint };
  if (endpoint.startsWith('user:')) return { type: 'user', name: endpoint.slice(5) };
  return { type: 'phone', number: endpoint };
}
