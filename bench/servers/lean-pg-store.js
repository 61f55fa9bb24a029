'use strict';
// The PostgreSQL store of servers/lean-sms.js (BENCH_DATABASE_URL set; the caller creates and
// drops that database): the same kind of rows as its SQLite store, written the way a careful
// hand-written handler would on `pg` — a pool of 10 connections (the gateway's pool size), named
// prepared statements, and per message two round trips: one read (MessageSid already stored?
// contact by From, its open conversation) and one statement writing the interaction, the message
// and the event and touching the conversation (servers/lean-rows.js), which PostgreSQL commits by
// itself (synchronous_commit left at the server's setting, on by default). A new customer's first
// message takes a transaction instead (contact and conversation too). Nothing is shared between
// concurrent messages: no batching across requests. Events are numbered by a global bigserial,
// which is what such a handler would use; it is not what the gateway's log promises its readers (a
// position is never filled in later below one a reader has seen: src/events/event-log.repository.ts),
// so it costs less than that.
const { Pool } = require('pg');
const { monotonicFactory } = require('ulid');
const { ROW_TABLES } = require('./lean-rows');

const newId = monotonicFactory();
const UNIQUE_VIOLATION = '23505';

const SCHEMA = `${ROW_TABLES}
  CREATE TABLE events (seq bigserial PRIMARY KEY, tenant_id text NOT NULL, id text NOT NULL UNIQUE, type text NOT NULL,
    conversation_id text, interaction_id text, at text NOT NULL, data text NOT NULL);`;

const FACTS = {
  name: 'lean-facts',
  text: `SELECT i.id AS seen, c.id AS contact,
      (SELECT o.id FROM conversations o WHERE o.tenant_id = $1 AND o.contact_id = c.id AND o.status <> 'closed'
        ORDER BY o.id DESC LIMIT 1) AS conversation
    FROM (SELECT 1) AS one
    LEFT JOIN interactions i ON i.tenant_id = $1 AND i.provider_ref = $2
    LEFT JOIN contacts c ON c.tenant_id = $1 AND c.phone = $3`,
};
// $1 interaction id, $2 tenant, $3 conversation, $4 MessageSid, $5 From, $6 To, $7 at, $8 body, $9 event id, $10 event data
const RECEIVED = {
  name: 'lean-received',
  text: `WITH i AS (INSERT INTO interactions VALUES ($1, $2, $3, $4, $5, $6, $7)),
      m AS (INSERT INTO messages VALUES ($1, $2, $8)),
      t AS (UPDATE conversations SET updated_at = $7, last_activity_at = $7 WHERE id = $3)
    INSERT INTO events (tenant_id, id, type, conversation_id, interaction_id, at, data)
    VALUES ($2, $9, 'sms.received', $3, $1, $7, $10) RETURNING seq`,
};
const ADD_CONTACT = {
  name: 'lean-contact',
  text: `INSERT INTO contacts VALUES ($1, $2, $3, $4)
    ON CONFLICT (tenant_id, phone) DO UPDATE SET phone = excluded.phone RETURNING id`,
};
const ADD_CONVERSATION = { name: 'lean-conversation', text: "INSERT INTO conversations VALUES ($1, $2, $3, 'open', $4, $4, $4)" };
const ADD_EVENT = {
  name: 'lean-event',
  text: 'INSERT INTO events (tenant_id, id, type, conversation_id, interaction_id, at, data) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING seq',
};

/** { store(message, tenant, at): Promise<events[]>, synchronous(): Promise<string>, close() } */
async function openPostgresStore(url) {
  const pool = new Pool({ connectionString: url, max: 10 });
  await pool.query(SCHEMA);

  /** A MessageSid stored meanwhile by a concurrent request: nothing to add. */
  const unlessDuplicate = (error) => {
    if (error && error.code === UNIQUE_VIOLATION) return [];
    throw error;
  };

  async function store(m, tenant, at) {
    const facts = (await pool.query({ ...FACTS, values: [tenant, m.MessageSid, m.From] })).rows[0];
    if (facts.seen) return [];
    const interactionId = newId();
    const received = (conversationId) => ({
      id: newId(), type: 'sms.received', conversationId, interactionId, at, data: { from: m.From, to: m.To, body: m.Body },
    });
    if (facts.contact && facts.conversation) {
      const event = received(facts.conversation);
      const values = [interactionId, tenant, facts.conversation, m.MessageSid, m.From, m.To, at, m.Body, event.id, JSON.stringify(event.data)];
      try {
        const { rows } = await pool.query({ ...RECEIVED, values });
        return [{ ...event, seq: Number(rows[0].seq) }];
      } catch (error) {
        return unlessDuplicate(error);
      }
    }
    return firstMessage(m, tenant, at, facts, interactionId, received);
  }

  /** A new customer (or one with no open conversation): everything in one transaction. */
  async function firstMessage(m, tenant, at, facts, interactionId, received) {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const contactId = facts.contact
        || (await client.query({ ...ADD_CONTACT, values: [newId(), tenant, m.From, at] })).rows[0].id;
      const conversationId = newId();
      await client.query({ ...ADD_CONVERSATION, values: [conversationId, tenant, contactId, at] });
      const created = { id: newId(), type: 'conversation.created', conversationId, interactionId: null, at, data: { contactId } };
      const events = [created, received(conversationId)];
      await client.query({ text: 'INSERT INTO interactions VALUES ($1, $2, $3, $4, $5, $6, $7)', values: [interactionId, tenant, conversationId, m.MessageSid, m.From, m.To, at] });
      await client.query({ text: 'INSERT INTO messages VALUES ($1, $2, $3)', values: [interactionId, tenant, m.Body] });
      for (const e of events) {
        const { rows } = await client.query({ ...ADD_EVENT, values: [tenant, e.id, e.type, e.conversationId, e.interactionId, at, JSON.stringify(e.data)] });
        e.seq = Number(rows[0].seq);
      }
      await client.query('COMMIT');
      return events;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      return unlessDuplicate(error);
    } finally {
      client.release();
    }
  }

  return {
    store,
    synchronous: async () => (await pool.query('SHOW synchronous_commit')).rows[0].synchronous_commit,
    close: () => pool.end(),
  };
}

module.exports = { openPostgresStore };
