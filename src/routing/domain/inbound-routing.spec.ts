import { routeInbound, stickyCandidate, type RoutingDecision, type RoutingFacts } from './inbound-routing';

const NOW = '2026-03-10T12:00:00.000Z';
const DAYS_AGO = (d: number) => new Date(Date.parse(NOW) - d * 24 * 3600 * 1000).toISOString();
const base: RoutingFacts = { policy: 'sticky', stickyDays: 7, now: NOW, latestAgentOnline: true };

describe('routeInbound', () => {
  it.each<[string, Partial<RoutingFacts>, RoutingDecision, string | undefined]>([
    ['an open conversation is joined, whoever is online', { open: { id: 'c1' }, latest: { agentId: 'alice', lastActivityAt: DAYS_AGO(0) }, latestAgentOnline: false },
      { kind: 'join', conversationId: 'c1' }, undefined],
    ['sticky: the last agent, online, within the days', { latest: { agentId: 'alice', lastActivityAt: DAYS_AGO(2) } },
      { kind: 'open', agentId: 'alice', via: 'sticky' }, 'alice'],
    ['sticky: exactly at the limit still counts', { latest: { agentId: 'alice', lastActivityAt: DAYS_AGO(7) } },
      { kind: 'open', agentId: 'alice', via: 'sticky' }, 'alice'],
    ['sticky but the agent is offline: the queue', { latest: { agentId: 'alice', lastActivityAt: DAYS_AGO(1) }, latestAgentOnline: false },
      { kind: 'open', agentId: null, via: 'queue' }, 'alice'],
    ['sticky but too old: the queue', { latest: { agentId: 'alice', lastActivityAt: DAYS_AGO(7.01) } },
      { kind: 'open', agentId: null, via: 'queue' }, undefined],
    ['sticky, the last conversation had no agent: the queue', { latest: { agentId: null, lastActivityAt: DAYS_AGO(0) } },
      { kind: 'open', agentId: null, via: 'queue' }, undefined],
    ['sticky, a first-time customer: the queue', {},
      { kind: 'open', agentId: null, via: 'queue' }, undefined],
    ['queue: always the queue, even with the agent online', { policy: 'queue', latest: { agentId: 'alice', lastActivityAt: DAYS_AGO(0) } },
      { kind: 'open', agentId: null, via: 'queue' }, undefined],
    ['queue: an open conversation is still joined', { policy: 'queue', open: { id: 'c2' } },
      { kind: 'join', conversationId: 'c2' }, undefined],
  ])('%s', (_name, over, decision, candidate) => {
    const facts = { ...base, ...over };
    expect(routeInbound(facts)).toEqual(decision);
    expect(stickyCandidate(facts)).toBe(candidate);
  });
});
