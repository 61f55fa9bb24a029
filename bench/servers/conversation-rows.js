'use strict';
// The rows the gateway stores for POST /v1/conversations, written by hand with better-sqlite3 (WAL,
// synchronous = NORMAL, the gateway's default durability), for the hand-written servers of
// bench/run.js (express-conversations.js, lean-conversations.js):
// - a repeated chat session id finds the linked conversation (the gateway's lookup);
// - the contact found by phone, else inserted;
// - the conversation, its chat interaction, and two events (conversation.created, chat.linked) at
//   the next positions of one counter.
// `open` runs them for one request; the caller says which transaction it runs in.
const { randomUUID } = require('node:crypto');
const { join } = require('node:path');
const Database = require('better-sqlite3');

function openConversationRows(dir) {
  const db = new Database(join(dir, 'conversations.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(`
    CREATE TABLE contacts (id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, name TEXT, phone TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
    CREATE UNIQUE INDEX contacts_tenant_phone ON contacts (tenant_id, phone);
    CREATE TABLE conversations (id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, contact_id TEXT NOT NULL REFERENCES contacts (id),
      status TEXT NOT NULL, agent_id TEXT, context TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL, last_activity_at TEXT NOT NULL);
    CREATE TABLE interactions (id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, conversation_id TEXT NOT NULL REFERENCES conversations (id),
      channel TEXT NOT NULL, state TEXT NOT NULL, provider_ref TEXT, started_at TEXT NOT NULL);
    CREATE UNIQUE INDEX interactions_ref ON interactions (tenant_id, channel, provider_ref);
    CREATE TABLE events (tenant_id TEXT NOT NULL, seq INTEGER NOT NULL, id TEXT NOT NULL UNIQUE, type TEXT NOT NULL,
      conversation_id TEXT, at TEXT NOT NULL, data TEXT NOT NULL, PRIMARY KEY (tenant_id, seq));
    CREATE TABLE event_position (id INTEGER PRIMARY KEY, value INTEGER NOT NULL);
    INSERT INTO event_position VALUES (1, 0);
  `);
  const findLinked = db.prepare(`SELECT c.* FROM interactions i JOIN conversations c ON c.id = i.conversation_id
    WHERE i.tenant_id = ? AND i.channel = 'chat' AND i.provider_ref = ?`);
  const findContact = db.prepare('SELECT * FROM contacts WHERE tenant_id = ? AND phone = ?');
  const insertContact = db.prepare('INSERT INTO contacts (id, tenant_id, name, phone, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)');
  const insertConversation = db.prepare(`INSERT INTO conversations (id, tenant_id, contact_id, status, agent_id, context, created_at, updated_at, last_activity_at)
    VALUES (?, ?, ?, 'active', ?, ?, ?, ?, ?)`);
  const insertInteraction = db.prepare(`INSERT INTO interactions (id, tenant_id, conversation_id, channel, state, provider_ref, started_at)
    VALUES (?, ?, ?, 'chat', 'active', ?, ?)`);
  const nextPositions = db.prepare('UPDATE event_position SET value = value + ? WHERE id = 1 RETURNING value');
  const insertEvent = db.prepare('INSERT INTO events (tenant_id, seq, id, type, conversation_id, at, data) VALUES (?, ?, ?, ?, ?, ?, ?)');

  /** The conversation linked to the chat session, or the new one: { created, conversation }. */
  function open(tenantId, agentId, body, at) {
    const linked = findLinked.get(tenantId, body.chat.sessionId);
    if (linked) return { created: false, conversation: linked };
    let contact = findContact.get(tenantId, body.contact.phone);
    if (!contact) {
      contact = { id: randomUUID(), tenant_id: tenantId, name: body.contact.name ?? null, phone: body.contact.phone, created_at: at, updated_at: at };
      insertContact.run(contact.id, tenantId, contact.name, contact.phone, at, at);
    }
    const conversation = {
      id: randomUUID(), status: 'active', contact: { id: contact.id, name: contact.name, phone: contact.phone }, agentId,
      context: body.context ?? null, createdAt: at, updatedAt: at, lastActivityAt: at,
      interactions: [{ id: randomUUID(), channel: 'chat', state: 'active', providerRef: body.chat.sessionId, startedAt: at }],
    };
    const [chat] = conversation.interactions;
    insertConversation.run(conversation.id, tenantId, contact.id, agentId, body.context ? JSON.stringify(body.context) : null, at, at, at);
    insertInteraction.run(chat.id, tenantId, conversation.id, chat.providerRef, at);
    const last = nextPositions.get(2).value;
    insertEvent.run(tenantId, last - 1, randomUUID(), 'conversation.created', conversation.id, at, JSON.stringify({ conversation }));
    insertEvent.run(tenantId, last, randomUUID(), 'chat.linked', conversation.id, at, JSON.stringify({ sessionId: chat.providerRef }));
    return { created: true, conversation };
  }

  return { db, open };
}

/** The few field checks both hand-written handlers make; true when the body will do. */
function plausible(body) {
  return Boolean(body) && typeof body.contact === 'object' && body.contact !== null && typeof body.contact.phone === 'string'
    && /^\+[1-9]\d{6,14}$/.test(body.contact.phone) && Boolean(body.chat) && typeof body.chat.sessionId === 'string';
}

module.exports = { openConversationRows, plausible };
