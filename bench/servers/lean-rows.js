'use strict';
// The tables both stores of servers/lean-sms.js keep alike (SQLite, and PostgreSQL in
// servers/lean-pg-store.js): what a conversation model needs per inbound message, and no more. Each
// store adds its own events table (numbered its own way).
module.exports.ROW_TABLES = `
  CREATE TABLE contacts (id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, phone TEXT NOT NULL, created_at TEXT NOT NULL, UNIQUE (tenant_id, phone));
  CREATE TABLE conversations (id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, contact_id TEXT NOT NULL, status TEXT NOT NULL, created_at TEXT NOT NULL);
  CREATE INDEX conversations_contact ON conversations (tenant_id, contact_id, id);
  CREATE TABLE interactions (id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, conversation_id TEXT NOT NULL, provider_ref TEXT NOT NULL,
    from_addr TEXT NOT NULL, to_addr TEXT NOT NULL, started_at TEXT NOT NULL, UNIQUE (tenant_id, provider_ref));
  CREATE TABLE messages (interaction_id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, body TEXT NOT NULL);`;
