'use strict';
// Reference for bench/run.js, for scale, not a target: how fast can POST /v1/conversations be on
// this machine with the gateway's HTTP framework but none of its layers? Fastify (its own JSON
// parser), jsonwebtoken checking the HS256 bearer token as the express handler does, the same
// field checks, and the same rows (conversation-rows.js), the requests of one event-loop turn in
// one transaction (as the gateway's group commit does). Answers 201 with the conversation. Sends
// { url, token, synchronous } to the parent, answers 'memory', stops on disconnect.
const { createSecretKey, randomBytes } = require('node:crypto');
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const Fastify = require('fastify');
const jwt = require('jsonwebtoken');
const answerMemoryRequests = require('./memory');
const perTurn = require('./per-turn');
const { openConversationRows, plausible } = require('./conversation-rows');

const SECRET = createSecretKey(randomBytes(32)); // a KeyObject: see express-conversations.js
const dir = mkdtempSync(join(tmpdir(), 'lean-conversations-bench-'));
const { db, open } = openConversationRows(dir);

/** Requests of one event-loop turn, stored in one transaction (an error is answered 500: the bench counts it). */
const openAll = db.transaction((requests, at) => requests.map(({ principal, body }) => open(principal.tenantId, principal.agentId, body, at)));
const enqueue = perTurn((requests) => openAll(requests, new Date().toISOString()));

const app = Fastify({ bodyLimit: 64 * 1024 });
app.post('/v1/conversations', async (req, reply) => {
  let principal;
  try {
    principal = jwt.verify((req.headers.authorization || '').slice('Bearer '.length), SECRET, { algorithms: ['HS256'] });
  } catch {
    return reply.code(401).send({ title: 'Unauthorized' });
  }
  if (!plausible(req.body)) return reply.code(400).send({ title: 'Invalid request' });
  const { created, conversation } = await enqueue({ principal, body: req.body });
  return reply.code(created ? 201 : 200).send(conversation);
});

app.listen({ port: 0, host: '127.0.0.1' }).then(() => {
  answerMemoryRequests();
  const token = jwt.sign({ agentId: 'bench', tenantId: 'default', roles: ['agent'] }, SECRET, { algorithm: 'HS256', expiresIn: 3600 });
  process.send({ url: `http://127.0.0.1:${app.server.address().port}`, token, synchronous: db.pragma('synchronous', { simple: true }) });
});

// The parent disconnects the IPC channel (or dies): stop.
process.on('disconnect', () => {
  app.close().finally(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  });
});
