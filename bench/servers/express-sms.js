'use strict';
// "The plain handler people write by hand" for bench/sms.js: express 4, express.urlencoded, the
// twilio package's webhook() middleware validating X-Twilio-Signature against the public URL, and
// one INSERT OR IGNORE per message into a better-sqlite3 file (WAL, synchronous = FULL, the
// gateway's durability). Reads BENCH_TWILIO_AUTH_TOKEN and BENCH_WEBHOOK_URL; sends { url,
// synchronous } to the parent, answers 'memory' and 'stored' (row count), stops on disconnect.
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const Database = require('better-sqlite3');
const express = require('express');
const twilio = require('twilio');
const answerMemoryRequests = require('./memory');

const dir = mkdtempSync(join(tmpdir(), 'express-sms-bench-'));
const db = new Database(join(dir, 'sms.db'));
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
db.exec(`CREATE TABLE messages (
  id INTEGER PRIMARY KEY, sid TEXT NOT NULL UNIQUE, from_number TEXT NOT NULL, to_number TEXT NOT NULL,
  body TEXT NOT NULL, received_at TEXT NOT NULL)`);
// A retry of the same MessageSid is ignored by the unique sid.
const insert = db.prepare('INSERT OR IGNORE INTO messages (sid, from_number, to_number, body, received_at) VALUES (?, ?, ?, ?, ?)');

const app = express();
app.post(
  '/webhooks/twilio/sms',
  express.urlencoded({ extended: false }),
  twilio.webhook(process.env.BENCH_TWILIO_AUTH_TOKEN, { url: process.env.BENCH_WEBHOOK_URL }),
  (req, res) => {
    const { MessageSid, From, To, Body } = req.body;
    insert.run(MessageSid, From, To, Body || '', new Date().toISOString());
    res.type('text/xml').send('<Response></Response>');
  },
);

const server = app.listen(0, '127.0.0.1', () => {
  answerMemoryRequests();
  process.on('message', (message) => {
    if (message === 'stored') process.send({ stored: db.prepare('SELECT count(*) AS n FROM messages').get().n });
  });
  process.send({ url: `http://127.0.0.1:${server.address().port}`, synchronous: db.pragma('synchronous', { simple: true }) });
});

// The parent disconnects the IPC channel (or dies): stop.
process.on('disconnect', () => {
  server.close();
  server.closeAllConnections();
  db.close();
  rmSync(dir, { recursive: true, force: true });
});
