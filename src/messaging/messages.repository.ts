import { allColumns, FixedQuery } from '../storage/fixed-query';
import type { MessagesTable } from '../storage/schema';
import type { Executor } from '../storage/store';
import type { SmsEncoding } from './domain/segments';
import type { Attachment, MessageContent } from './domain/message';
import { parseAttempts, type ProviderAttempt } from '../failover/domain/failover';

// Every inbound message stores its text: compiled once (storage/fixed-query.ts).
const insertMessage = new FixedQuery((db, row: MessagesTable) => db.insertInto('messages').values(allColumns(row, {
  interactionId: true, tenantId: true, body: true, segments: true, encoding: true, errorCode: true, errorMessage: true, attempts: true,
})), 'defer'); // on PostgreSQL it rides with the transaction's next statement (storage/write-behind.ts)

export class MessagesRepository {
  constructor(private readonly db: Executor) {}

  async insert(tenantId: string, message: MessageContent): Promise<void> {
    const { attempts, ...content } = message;
    await insertMessage.execute(this.db, { tenantId, ...content, attempts: attempts?.length ? JSON.stringify(attempts) : null });
  }

  async find(tenantId: string, interactionId: string): Promise<MessageContent | undefined> {
    const row = await this.db
      .selectFrom('messages')
      .select(['interactionId', 'body', 'segments', 'encoding', 'errorCode', 'errorMessage', 'attempts'])
      .where('tenantId', '=', tenantId).where('interactionId', '=', interactionId)
      .executeTakeFirst();
    return row && { ...row, encoding: row.encoding as SmsEncoding, attempts: parseAttempts(row.attempts) };
  }

  /** Provider failover: the providers the message was handed to so far (the whole list). */
  async setAttempts(tenantId: string, interactionId: string, attempts: ProviderAttempt[]): Promise<void> {
    await this.db.updateTable('messages').set({ attempts: JSON.stringify(attempts) })
      .where('tenantId', '=', tenantId).where('interactionId', '=', interactionId).execute();
  }

  async setError(tenantId: string, interactionId: string, errorCode: string | null, errorMessage: string | null): Promise<void> {
    await this.db.updateTable('messages').set({ errorCode, errorMessage })
      .where('tenantId', '=', tenantId).where('interactionId', '=', interactionId).execute();
  }

  async insertAttachments(tenantId: string, attachments: Attachment[]): Promise<void> {
    if (attachments.length === 0) return;
    await this.db.insertInto('attachments').values(attachments.map((a) => ({ tenantId, ...a }))).execute();
  }

  async attachmentsOf(tenantId: string, interactionId: string): Promise<Attachment[]> {
    return this.db
      .selectFrom('attachments')
      .select(['id', 'interactionId', 'provider', 'url', 'contentType', 'size', 'createdAt'])
      .where('tenantId', '=', tenantId).where('interactionId', '=', interactionId)
      .orderBy('id').execute();
  }

  /** The texts of these message interactions (of one tenant). */
  async contentsOf(tenantId: string, interactionIds: string[]): Promise<MessageContent[]> {
    if (interactionIds.length === 0) return [];
    const rows = await this.db
      .selectFrom('messages')
      .select(['interactionId', 'body', 'segments', 'encoding', 'errorCode', 'errorMessage', 'attempts'])
      .where('tenantId', '=', tenantId).where('interactionId', 'in', interactionIds)
      .execute();
    return rows.map((row) => ({ ...row, encoding: row.encoding as SmsEncoding, attempts: parseAttempts(row.attempts) }));
  }

  /** The attachments of these message interactions, in the order they were stored. */
  async attachmentsOfMany(tenantId: string, interactionIds: string[]): Promise<Attachment[]> {
    if (interactionIds.length === 0) return [];
    return this.db
      .selectFrom('attachments')
      .select(['id', 'interactionId', 'provider', 'url', 'contentType', 'size', 'createdAt'])
      .where('tenantId', '=', tenantId).where('interactionId', 'in', interactionIds)
      .orderBy('id').execute();
  }

  async findAttachment(tenantId: string, id: string): Promise<Attachment | undefined> {
    return this.db
      .selectFrom('attachments')
      .select(['id', 'interactionId', 'provider', 'url', 'contentType', 'size', 'createdAt'])
      .where('tenantId', '=', tenantId).where('id', '=', id)
      .executeTakeFirst();
  }

  async setAttachmentSize(tenantId: string, id: string, size: number): Promise<void> {
    await this.db.updateTable('attachments').set({ size }).where('tenantId', '=', tenantId).where('id', '=', id).execute();
  }
}
