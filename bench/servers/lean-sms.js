'use strict';
// Reference handlers for bench/sms.js: how fast can an inbound-SMS webhook be on this machine with
// the gateway's frameworks but none of its layers? Fastify with @fastify/formbody, the twilio
// package's validateRequest() on X-Twilio-Signature, and one `sms.received` frame to every
// subscriber of /v1/events (a plain `ws` server). Argument:
//   storage    also stores each message before answering, in the gateway's way but by hand:
//              better-sqlite3 prepared statements, WAL, synchronous = FULL (or the setting in
//              BENCH_SQLITE_SYNCHRONOUS, as for servers/express-sms.js), messages of the same
//              event-loop turn in one transaction (one fsync); per message a duplicate check on
//              MessageSid, contact found or created by From, open conversation found or opened,
//              interaction and message rows (an open conversation touched), the tenant's event
//              sequence bumped and event rows (servers/lean-rows.js).
//              With BENCH_DATABASE_URL (postgres://...), the same kind of rows on PostgreSQL instead,
//              each message on its own (servers/lean-pg-store.js).
//   none       answers once the signature is checked and the frame is sent; stores nothing.
// Reads BENCH_TWILIO_AUTH_TOKEN, BENCH_WEBHOOK_URL and BENCH_SQLITE_SYNCHRONOUS; sends { url,
// token, synchronous } to the parent, answers 'memory', stops on disconnect.
const { randomBytes } = require('node:crypto');
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const Database = require('better-sqlite3');
const Fastify = require('fastify');
const { validateRequest } = require('twilio/lib/webhooks/webhooks');
const { monotonicFactory } = require('ulid');
const { WebSocketServer } = require('ws');
const answerMemoryRequests = require('./memory');
const perTurn = require('./per-turn');
const sqliteSynchronous = require('./sqlite-synchronous');
const { openPostgresStore } = require('./lean-pg-store');
const { ROW_TABLES } = require('./lean-rows');

const STORE = process.argv[2] === 'storage';
const TOKEN = process.env.BENCH_TWILIO_AUTH_TOKEN;
const WEBHOOK_URL = process.env.BENCH_WEBHOOK_URL;
const TENANT = 'acme';
const TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>';
const newId = monotonicFactory();

const POSTGRES_URL = process.env.BENCH_DATABASE_URL;
const dir = mkdtempSync(join(tmpdir(), 'lean-sms-bench-'));
const db = STORE && !POSTGRES_URL ? openStore(join(dir, 'sms.db')) : undefined;

function openStore(file) {
  const store = new Database(file);
  store.pragma('journal_mode = WAL');
  store.pragma(`synchronous = ${sqliteSynchronous()}`);
  store.exec(`
    CREATE TABLE tenants (id TEXT PRIMARY KEY, last_event_seq INTEGER NOT NULL);
    ${ROW_TABLES}
    CREATE TABLE events (tenant_id TEXT NOT NULL, seq INTEGER NOT NULL, id TEXT NOT NULL UNIQUE, type TEXT NOT NULL, conversation_id TEXT,
      interaction_id TEXT, at TEXT NOT NULL, data TEXT NOT NULL, PRIMARY KEY (tenant_id, seq));
    INSERT INTO tenants VALUES ('${TENANT}', 0);`);
  return store;
}

const sql = db && {
  seen: db.prepare('SELECT id FROM interactions WHERE tenant_id = ? AND provider_ref = ?'),
  contact: db.prepare('SELECT id FROM contacts WHERE tenant_id = ? AND phone = ?'),
  addContact: db.prepare('INSERT INTO contacts VALUES (?, ?, ?, ?)'),
  open: db.prepare("SELECT id FROM conversations WHERE tenant_id = ? AND contact_id = ? AND status != 'closed' ORDER BY id DESC LIMIT 1"),
  addConversation: db.prepare("INSERT INTO conversations VALUES (?, ?, ?, 'open', ?, ?, ?)"),
  touch: db.prepare('UPDATE conversations SET updated_at = ?, last_activity_at = ? WHERE id = ?'),
  addInteraction: db.prepare('INSERT INTO interactions VALUES (?, ?, ?, ?, ?, ?, ?)'),
  addMessage: db.prepare('INSERT INTO messages VALUES (?, ?, ?)'),
  bump: db.prepare('UPDATE tenants SET last_event_seq = last_event_seq + ? WHERE id = ? RETURNING last_event_seq'),
  addEvent: db.prepare('INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?, ?)'),
};

/** One message's rows; returns its events, or none for a MessageSid already stored. */
function store(m, at) {
  if (sql.seen.get(TENANT, m.MessageSid)) return [];
  const events = [];
  let contact = sql.contact.get(TENANT, m.From);
  if (!contact) {
    contact = { id: newId() };
    sql.addContact.run(contact.id, TENANT, m.From, at);
  }
  let conversation = sql.open.get(TENANT, contact.id);
  if (!conversation) {
    conversation = { id: newId() };
    sql.addConversation.run(conversation.id, TENANT, contact.id, at, at, at);
    events.push({ type: 'conversation.created', conversationId: conversation.id, interactionId: null, data: { contactId: contact.id } });
  } else {
    sql.touch.run(at, at, conversation.id);
  }
  const interactionId = newId();
  sql.addInteraction.run(interactionId, TENANT, conversation.id, m.MessageSid, m.From, m.To, at);
  sql.addMessage.run(interactionId, TENANT, m.Body);
  events.push({ type: 'sms.received', conversationId: conversation.id, interactionId, data: { from: m.From, to: m.To, body: m.Body } });
  const last = sql.bump.get(events.length, TENANT).last_event_seq;
  return events.map((e, i) => {
    const event = { id: newId(), seq: last - events.length + 1 + i, at, ...e };
    sql.addEvent.run(TENANT, event.seq, event.id, event.type, event.conversationId, event.interactionId, at, JSON.stringify(event.data));
    return event;
  });
}

const subscribers = new Set();
function publish(events) {
  for (const event of events) {
    const frame = JSON.stringify({ op: 'event', event });
    for (const socket of subscribers) socket.send(frame);
  }
}

/** Messages of one event-loop turn, stored in one transaction (one fsync); each answered with its events. */
const storeAll = db && db.transaction((messages, at) => messages.map((m) => store(m, at)));
const enqueue = perTurn((messages) => {
  const at = new Date().toISOString();
  if (storeAll) return storeAll(messages, at);
  return messages.map((m) => [{ id: newId(), seq: 0, at, type: 'sms.received', conversationId: null, interactionId: null,
    data: { from: m.From, to: m.To, body: m.Body } }]);
});

const app = Fastify({ bodyLimit: 64 * 1024 });
app.register(require('@fastify/formbody'));
app.post('/webhooks/twilio/sms', async (req, reply) => {
  const signature = req.headers['x-twilio-signature'];
  if (typeof signature !== 'string' || !validateRequest(TOKEN, signature, WEBHOOK_URL, req.body)) {
    return reply.code(403).send('signature does not match');
  }
  if (postgres) publish(await postgres.store(req.body, TENANT, new Date().toISOString()));
  else publish(await enqueue(req.body));
  return reply.type('text/xml').send(TWIML);
});

let postgres;
(STORE && POSTGRES_URL ? openPostgresStore(POSTGRES_URL).then((store) => { postgres = store; }) : Promise.resolve())
  .then(() => app.listen({ port: 0, host: '127.0.0.1' })).then(async () => {
  const wss = new WebSocketServer({ server: app.server, path: '/v1/events' });
  wss.on('connection', (socket) => {
    socket.once('message', () => {
      subscribers.add(socket);
      socket.send(JSON.stringify({ op: 'subscribed', topics: ['tenant'] }));
    });
    socket.on('close', () => subscribers.delete(socket));
  });
  answerMemoryRequests();
  const synchronous = postgres ? await postgres.synchronous() : db ? db.pragma('synchronous', { simple: true }) : undefined;
  process.send({ url: `http://127.0.0.1:${app.server.address().port}`, token: randomBytes(8).toString('hex'), synchronous });
}).catch((error) => {
  process.stderr.write(`lean-sms failed to start: ${error && error.stack ? error.stack : error}\n`);
  process.exit(1);
});

// The parent disconnects the IPC channel (or dies): stop.
process.on('disconnect', () => {
  app.close().finally(() => {
    if (db) db.close();
    if (postgres) postgres.close();
    rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  });
});
