import { Injectable } from '@nestjs/common';
import type { Principal } from '../../common/auth/principal';
import { DomainError } from '../../common/errors/domain-error';
import { decodeCursor, DEFAULT_PAGE_SIZE, encodeCursor, type Page, type PageQuery } from '../../common/http/paging';
import { nowIso } from '../../common/ids';
import { CALL_STEP_KINDS } from '../../calls/domain/call-step';
import { previewOf } from '../../messaging/domain/preview';
import { UnitOfWork } from '../../unit-of-work/unit-of-work';
import type { ConversationView } from '../conversation.view';
import type { Channel, Interaction } from '../domain/conversation';
import { mergeTimeline, pageAfter, type TimelineItem } from '../domain/timeline';
import { loadInteractionDetails, type InteractionDetails } from './interaction-details';
import type { TimelineEntry } from './timeline.repository';

/** A conversation in a contact's activities: the conversation, what it went through, and where its timeline is. */
export interface ActivityView extends ConversationView {
  /** The channels it used, in the order they first appeared. */
  channels: Channel[];
  lastMessage: { interactionId: string; direction: string; at: string; preview: string; attachmentCount: number } | null;
  timelineHref: string;
}

const STEP_KINDS: ReadonlySet<string> = new Set(CALL_STEP_KINDS);

/**
 * `GET /v1/conversations/:id/timeline`: everything that happened in a conversation, oldest first,
 * from the rows that keep it (chats, messages with their attachments, calls with their steps) and
 * the append-only timeline entries (chat ended, assignments, wrap-up). Masking for agents is done
 * on the way out, as for every answer (common/masking/masked-answers.ts).
 */
@Injectable()
export class TimelineService {
  constructor(private readonly uow: UnitOfWork) {}

  async page(principal: Principal, conversationId: string, query: PageQuery): Promise<Page<TimelineItem>> {
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    const items = await this.timelineOf(principal.tenantId, conversationId);
    const page = pageAfter(items, after, limit);
    if (!page) throw DomainError.invalidField('cursor', 'is not a cursor of this conversation\'s timeline');
    return { items: page.items, nextCursor: page.more ? encodeCursor(page.items.at(-1)!.id) : null };
  }

  /** Adds to each conversation of a contact's activities its channels, last message and timeline link. */
  async activities(tenantId: string, page: Page<ConversationView>): Promise<Page<ActivityView>> {
    const lastMessages = page.items
      .map((c) => c.interactions.filter((i) => i.channel === 'sms').at(-1))
      .filter((i): i is ConversationView['interactions'][number] => i !== undefined);
    const { messages } = this.uow.direct;
    const ids = lastMessages.map((i) => i.id);
    const contents = new Map((await messages.contentsOf(tenantId, ids)).map((c) => [c.interactionId, c]));
    const attachments = await messages.attachmentsOfMany(tenantId, ids);
    const items = page.items.map((c): ActivityView => {
      const last = c.interactions.filter((i) => i.channel === 'sms').at(-1);
      const content = last && contents.get(last.id);
      return {
        ...c,
        channels: [...new Set(c.interactions.map((i) => i.channel))],
        lastMessage: last && content ? {
          interactionId: last.id, direction: last.direction, at: last.startedAt, preview: previewOf(content.body),
          attachmentCount: attachments.filter((a) => a.interactionId === last.id).length,
        } : null,
        timelineHref: `/v1/conversations/${c.id}/timeline`,
      };
    });
    return { items, nextCursor: page.nextCursor };
  }

  private async timelineOf(tenantId: string, conversationId: string): Promise<TimelineItem[]> {
    // One transaction: the rows and entries are read as of one moment.
    return this.uow.snapshot(async (r) => {
      if (!(await r.conversations.findById(tenantId, conversationId))) throw DomainError.notFound('conversation');
      const interactions = await r.conversations.interactionsOf(tenantId, [conversationId]);
      const details = await loadInteractionDetails(r, tenantId, interactions, nowIso());
      const entries = await r.timeline.ofConversation(tenantId, conversationId);
      return mergeTimeline(
        interactions.flatMap((i) => interactionItems(i, details)),
        entries.filter((e) => !(e.interactionId && STEP_KINDS.has(e.kind))).map(entryItem),
      );
    });
  }
}

/** A chat's link, a message or a call, each as one item named by the interaction's id. */
function interactionItems(i: Interaction, details: InteractionDetails): TimelineItem[] {
  const item = (type: string, data: Record<string, unknown>): TimelineItem => ({ id: i.id, type, at: i.startedAt, interactionId: i.id, data });
  switch (i.channel) {
    case 'chat': return [item('chat_linked', { sessionId: i.providerRef, origin: i.origin })];
    case 'sms': {
      const message = details.messages.get(i.id);
      return message ? [item('message', { ...message })] : [];
    }
    case 'voice': {
      const call = details.calls.get(i.id);
      return call ? [item('call', { ...call })] : [];
    }
  }
}

function entryItem(e: TimelineEntry): TimelineItem {
  return { id: e.id, type: e.kind, at: e.at, interactionId: e.interactionId, data: e.data };
}
