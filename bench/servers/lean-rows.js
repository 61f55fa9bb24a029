'use strict';
// The tables both stores of servers/lean-sms.js keep alike (SQLite, and PostgreSQL in
// servers/lean-pg-store.js): what a conversation model needs per inbound message, and no more. Each
// store adds its own events table (numbered its own way).
// A message joining an open conversation writes what the gateway writes there: the interaction
// (also found by its conversation: conversations read back whole), the message, and the
// conversation touched, whose activity orders the tenant's and the contact's conversation lists
// (two indexes). Without the touch and those three indexes the SQLite reference wrote 1.6 WAL
// frames per message, against 3.4 with them (strace, ~9 messages per commit): each message
// changes pages at random places, not only the tables' last pages. It made 2.63x the FULL
// handler without them and 2.01x with them, alternated in one run (bench/README.md).
module.exports.ROW_TABLES = `
  CREATE TABLE contacts (id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, phone TEXT NOT NULL, created_at TEXT NOT NULL, UNIQUE (tenant_id, phone));
  CREATE TABLE conversations (id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, contact_id TEXT NOT NULL, status TEXT NOT NULL, created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL, last_activity_at TEXT NOT NULL);
  CREATE INDEX conversations_contact ON conversations (tenant_id, contact_id, id);
  CREATE INDEX conversations_activity ON conversations (tenant_id, last_activity_at, id);
  CREATE INDEX conversations_contact_activity ON conversations (tenant_id, contact_id, last_activity_at, id);
  CREATE TABLE interactions (id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, conversation_id TEXT NOT NULL, provider_ref TEXT NOT NULL,
    from_addr TEXT NOT NULL, to_addr TEXT NOT NULL, started_at TEXT NOT NULL, UNIQUE (tenant_id, provider_ref));
  CREATE INDEX interactions_conversation ON interactions (conversation_id, id);
  CREATE TABLE messages (interaction_id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, body TEXT NOT NULL);`;
