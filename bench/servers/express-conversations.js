'use strict';
// "The plain handler people write by hand" for POST /v1/conversations (bench/run.js): express 4,
// express.json(), jsonwebtoken checking an HS256 bearer token, a few hand-written field checks,
// and the rows the gateway stores for the same request (conversation-rows.js) in one
// better-sqlite3 transaction per request; a repeated chat session id answers 200 with the linked
// conversation.
// Answers 201 with the conversation. Sends { url, token, synchronous } to the parent, answers
// 'memory', stops on disconnect.
const { createSecretKey, randomBytes } = require('node:crypto');
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const express = require('express');
const jwt = require('jsonwebtoken');
const answerMemoryRequests = require('./memory');
const { openConversationRows, plausible } = require('./conversation-rows');

// A KeyObject, not the string: given a string, jsonwebtoken 9 first tries it as a public key and
// catches the failure, which took 40% of this handler's CPU (profiled).
const SECRET = createSecretKey(randomBytes(32));
const dir = mkdtempSync(join(tmpdir(), 'express-conversations-bench-'));
const { db, open } = openConversationRows(dir);
/** One transaction per request. */
const openInTransaction = db.transaction((tenantId, agentId, body) => open(tenantId, agentId, body, new Date().toISOString()));

function authenticate(req, res, next) {
  const header = req.headers.authorization || '';
  try {
    req.principal = jwt.verify(header.slice('Bearer '.length), SECRET, { algorithms: ['HS256'] });
    next();
  } catch {
    res.status(401).json({ title: 'Unauthorized' });
  }
}

const app = express();
app.post('/v1/conversations', authenticate, express.json({ limit: '64kb' }), (req, res) => {
  const body = req.body;
  if (!plausible(body)) {
    res.status(400).json({ title: 'Invalid request' });
    return;
  }
  const { created, conversation } = openInTransaction(req.principal.tenantId, req.principal.agentId, body);
  res.status(created ? 201 : 200).json(conversation);
});

const server = app.listen(0, '127.0.0.1', () => {
  answerMemoryRequests();
  const token = jwt.sign({ agentId: 'bench', tenantId: 'default', roles: ['agent'] }, SECRET, { algorithm: 'HS256', expiresIn: 3600 });
  process.send({ url: `http://127.0.0.1:${server.address().port}`, token, synchronous: db.pragma('synchronous', { simple: true }) });
});

// The parent disconnects the IPC channel (or dies): stop.
process.on('disconnect', () => {
  server.close();
  server.closeAllConnections();
  db.close();
  rmSync(dir, { recursive: true, force: true });
  process.exit(0);
});
