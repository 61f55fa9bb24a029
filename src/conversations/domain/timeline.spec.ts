import type { Conversation, ConversationStatus, Interaction } from './conversation';
import { endChat, wrapUp, type Transition } from './conversation-state';
import { entriesOf, mergeTimeline, pageAfter, type TimelineItem } from './timeline';

const item = (id: string, at: string, type = 'x'): TimelineItem => ({ id, type, at, interactionId: null, data: {} });
const ids = (items: Array<{ id: string }>) => items.map((i) => i.id);

describe('mergeTimeline', () => {
  it.each<[string, TimelineItem[][], string[]]>([
    ['nothing', [[], []], []],
    ['one source, already in order', [[item('A', '2026-01-01T10:00:00.000Z'), item('B', '2026-01-01T10:00:01.000Z')]], ['A', 'B']],
    ['two sources interleaved by time', [
      [item('M1', '2026-01-01T10:00:00.000Z'), item('M2', '2026-01-01T10:00:05.000Z')],
      [item('E1', '2026-01-01T10:00:02.000Z'), item('E2', '2026-01-01T10:00:09.000Z')],
    ], ['M1', 'E1', 'M2', 'E2']],
    ['same millisecond: by id, whatever the source order', [
      [item('01B', '2026-01-01T10:00:00.000Z')], [item('01A', '2026-01-01T10:00:00.000Z')],
    ], ['01A', '01B']],
    ['time wins over id', [[item('01A', '2026-01-01T10:00:01.000Z')], [item('01B', '2026-01-01T10:00:00.000Z')]], ['01B', '01A']],
    ['a source out of order is sorted', [[item('C', '2026-01-01T10:00:03.000Z'), item('A', '2026-01-01T10:00:01.000Z')]], ['A', 'C']],
    ['times of another ISO form compare by instant', [[item('A', '2026-01-01T11:00:00+01:00'), item('B', '2026-01-01T09:30:00.000Z')]], ['B', 'A']],
  ])('%s', (_name, sources, expected) => {
    expect(ids(mergeTimeline(...sources))).toEqual(expected);
  });

  it('gives the same order for every arrangement of its sources', () => {
    const a = [item('01A', '2026-01-01T10:00:00.000Z'), item('01D', '2026-01-01T10:00:02.000Z')];
    const b = [item('01B', '2026-01-01T10:00:00.000Z'), item('01C', '2026-01-01T10:00:01.000Z')];
    expect(ids(mergeTimeline(a, b))).toEqual(ids(mergeTimeline(b, a)));
    expect(ids(mergeTimeline(a, b))).toEqual(['01A', '01B', '01C', '01D']);
  });
});

describe('pageAfter', () => {
  const all = ['A', 'B', 'C', 'D', 'E'].map((id) => ({ id }));
  it.each<[string, string | undefined, number, { items: string[]; more: boolean } | undefined]>([
    ['first page', undefined, 2, { items: ['A', 'B'], more: true }],
    ['middle page', 'B', 2, { items: ['C', 'D'], more: true }],
    ['last, short page', 'D', 2, { items: ['E'], more: false }],
    ['last page exactly full', 'C', 2, { items: ['D', 'E'], more: false }],
    ['after the last item', 'E', 2, { items: [], more: false }],
    ['everything at once', undefined, 100, { items: ['A', 'B', 'C', 'D', 'E'], more: false }],
    ['an id not in the timeline', 'Z', 2, undefined],
  ])('%s', (_name, after, limit, expected) => {
    const page = pageAfter(all, after, limit);
    expect(page && { items: ids(page.items), more: page.more }).toEqual(expected);
  });

  it('pages through everything exactly once', () => {
    const seen: string[] = [];
    let after: string | undefined;
    for (;;) {
      const page = pageAfter(all, after, 2)!;
      seen.push(...ids(page.items));
      if (!page.more) break;
      after = page.items.at(-1)!.id;
    }
    expect(seen).toEqual(['A', 'B', 'C', 'D', 'E']);
  });

  it('is empty for an empty timeline', () => {
    expect(pageAfter([], undefined, 5)).toEqual({ items: [], more: false });
  });
});

describe('entriesOf', () => {
  const T0 = '2026-01-01T00:00:00.000Z';
  const T1 = '2026-01-01T00:05:00.000Z';
  const conversation = (status: ConversationStatus): Conversation => ({
    id: 'c1', tenantId: 't', contactId: 'p1', status, agentId: 'a1', context: null,
    disposition: null, notes: null, createdAt: T0, updatedAt: T0, closedAt: null, lastActivityAt: T0,
  });
  const interaction = (id: string, channel: Interaction['channel'], state: string): Interaction => ({
    id, conversationId: 'c1', channel, direction: 'inbound', state, provider: null, providerRef: `ref-${id}`,
    from: null, to: null, origin: null, endReason: null, startedAt: T0, endedAt: null, updatedAt: T0,
  });
  const outcome = { disposition: 'resolved', notes: 'sent summary' };

  it.each<[string, () => [Conversation, Transition], Array<{ kind: string; interactionId: string | null }>]>([
    ['the chat ends, the conversation goes to wrap-up', () => {
      const c = conversation('active');
      return [c, endChat(c, [interaction('i1', 'chat', 'active')], T1)];
    }, [{ kind: 'chat_ended', interactionId: 'i1' }]],
    ['an ended chat ends again: nothing', () => {
      const c = conversation('wrap-up');
      return [c, endChat(c, [{ ...interaction('i1', 'chat', 'ended'), endedAt: T0 }], T1)];
    }, []],
    ['wrap-up with a live chat: the chat ends, then the wrap-up', () => {
      const c = conversation('active');
      return [c, wrapUp(c, [interaction('i1', 'chat', 'active'), interaction('i2', 'sms', 'delivered')], outcome, T1)];
    }, [{ kind: 'chat_ended', interactionId: 'i1' }, { kind: 'wrapped_up', interactionId: null }]],
    ['wrap-up of a conversation in wrap-up', () => {
      const c = conversation('wrap-up');
      return [c, wrapUp(c, [], outcome, T1)];
    }, [{ kind: 'wrapped_up', interactionId: null }]],
    ['a live call ended by the wrap-up is the call\'s own record, not an entry', () => {
      const c = conversation('active');
      return [c, wrapUp(c, [interaction('v1', 'voice', 'answered')], outcome, T1)];
    }, [{ kind: 'wrapped_up', interactionId: null }]],
  ])('%s', (_name, make, expected) => {
    const [before, result] = make();
    expect(entriesOf(before, result, 'alice').map(({ kind, interactionId }) => ({ kind, interactionId }))).toEqual(expected);
  });

  it('keeps the chat\'s session and end reason, and the wrap-up\'s outcome and agent', () => {
    const c = conversation('active');
    const entries = entriesOf(c, wrapUp(c, [interaction('i1', 'chat', 'active')], outcome, T1), 'alice');
    expect(entries.map((e) => e.data)).toEqual([
      { sessionId: 'ref-i1', endReason: 'wrap-up' },
      { disposition: 'resolved', notes: 'sent summary', agentId: 'alice' },
    ]);
  });
});
