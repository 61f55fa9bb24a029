'use strict';
// "The plain handler people write by hand" for bench/sms.js: express 4, express.urlencoded, the
// twilio package's webhook() middleware validating X-Twilio-Signature against the public URL, and
// one insert per message, ignoring a repeated sid:
// - by default an INSERT OR IGNORE into a better-sqlite3 file (WAL, synchronous = FULL, or the
//   setting in BENCH_SQLITE_SYNCHRONOUS: sms.js compares it with the gateway at equal durability,
//   both FULL and both NORMAL);
// - with BENCH_DATABASE_URL (postgres://...; the caller creates and drops that database) an
//   INSERT ... ON CONFLICT (sid) DO NOTHING through a `pg` pool of 10 connections (the gateway's
//   pool size), synchronous_commit left at the server's setting (on by default).
// Reads BENCH_TWILIO_AUTH_TOKEN, BENCH_WEBHOOK_URL and BENCH_SQLITE_SYNCHRONOUS; sends { url,
// synchronous } to the parent (PRAGMA synchronous, or PostgreSQL's synchronous_commit), answers
// 'memory' and 'stored' (row count), stops on disconnect.
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const express = require('express');
const twilio = require('twilio');
const answerMemoryRequests = require('./memory');
const sqliteSynchronous = require('./sqlite-synchronous');

const COLUMNS = 'sid TEXT NOT NULL UNIQUE, from_number TEXT NOT NULL, to_number TEXT NOT NULL, body TEXT NOT NULL, received_at TEXT NOT NULL';

/** { insert(sid, from, to, body, at): Promise|void, count(): Promise<number>, synchronous(): Promise, close() } */
async function openStore() {
  const postgresUrl = process.env.BENCH_DATABASE_URL;
  if (postgresUrl) {
    const { Pool } = require('pg');
    const pool = new Pool({ connectionString: postgresUrl, max: 10 });
    await pool.query(`CREATE TABLE messages (id BIGSERIAL PRIMARY KEY, ${COLUMNS})`);
    const text = 'INSERT INTO messages (sid, from_number, to_number, body, received_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (sid) DO NOTHING';
    return {
      insert: (...values) => pool.query({ name: 'insert-message', text, values }),
      count: async () => Number((await pool.query('SELECT count(*) AS n FROM messages')).rows[0].n),
      synchronous: async () => (await pool.query('SHOW synchronous_commit')).rows[0].synchronous_commit,
      close: () => pool.end(),
    };
  }
  const synchronous = sqliteSynchronous();
  const Database = require('better-sqlite3');
  const dir = mkdtempSync(join(tmpdir(), 'express-sms-bench-'));
  const db = new Database(join(dir, 'sms.db'));
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${synchronous}`);
  db.exec(`CREATE TABLE messages (id INTEGER PRIMARY KEY, ${COLUMNS})`);
  // A retry of the same MessageSid is ignored by the unique sid.
  const insert = db.prepare('INSERT OR IGNORE INTO messages (sid, from_number, to_number, body, received_at) VALUES (?, ?, ?, ?, ?)');
  return {
    insert: (...values) => insert.run(...values),
    count: async () => db.prepare('SELECT count(*) AS n FROM messages').get().n,
    synchronous: async () => db.pragma('synchronous', { simple: true }),
    close: () => { db.close(); rmSync(dir, { recursive: true, force: true }); },
  };
}

async function main() {
  const store = await openStore();
  const app = express();
  app.post(
    '/webhooks/twilio/sms',
    express.urlencoded({ extended: false }),
    twilio.webhook(process.env.BENCH_TWILIO_AUTH_TOKEN, { url: process.env.BENCH_WEBHOOK_URL }),
    async (req, res, next) => {
      const { MessageSid, From, To, Body } = req.body;
      try {
        await store.insert(MessageSid, From, To, Body || '', new Date().toISOString());
      } catch (error) {
        next(error);
        return;
      }
      res.type('text/xml').send('<Response></Response>');
    },
  );
  const server = app.listen(0, '127.0.0.1', async () => {
    answerMemoryRequests();
    process.on('message', (message) => {
      if (message === 'stored') store.count().then((stored) => process.send({ stored }));
    });
    process.send({ url: `http://127.0.0.1:${server.address().port}`, synchronous: await store.synchronous() });
  });
  // The parent disconnects the IPC channel (or dies): stop.
  process.on('disconnect', () => {
    server.close();
    server.closeAllConnections();
    Promise.resolve(store.close()).finally(() => process.exit(0));
  });
}

main().catch((error) => {
  process.stderr.write(`express-sms failed to start: ${error && error.stack ? error.stack : error}\n`);
  process.exit(1);
});
