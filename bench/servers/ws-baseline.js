'use strict';
// Baseline for bench/events.js: a bare node:http server with a `ws` WebSocketServer on /v1/events.
// A socket that sends {"op":"subscribe",...} gets {"op":"subscribed",...} and every later broadcast.
// POST /v1/conversations parses the JSON body and broadcasts two frames shaped like the gateway's
// (conversation.created carrying the body's context, then chat.linked) to every subscribed socket:
// each frame is serialised once and the same string is sent to all. No auth, store or log.
const http = require('node:http');
const { WebSocketServer } = require('ws');
const answerMemoryRequests = require('./memory');

const subscribed = new Set();
let seq = 0;
let ids = 0;
/** 26 characters, like the gateway's ULIDs, so frames are the same size. */
const newId = () => String(++ids).padStart(26, '0');

function frame(type, conversationId, data, extra = {}) {
  return JSON.stringify({
    op: 'event', cursor: String(++seq), topic: 'tenant',
    event: { id: newId(), type, conversationId, ...extra, at: new Date().toISOString(), data },
  });
}

function broadcast(text) {
  for (const socket of subscribed) socket.send(text);
}

function publish(body) {
  const at = new Date().toISOString();
  const id = newId();
  const chat = {
    id: newId(), channel: 'chat', direction: 'inbound', state: 'active', provider: null,
    providerRef: body.chat.sessionId, from: null, to: null, origin: body.chat.origin ?? null,
    endReason: null, startedAt: at, endedAt: null,
  };
  const conversation = {
    id, status: 'active',
    contact: { id: newId(), name: body.contact.name ?? null, phone: body.contact.phone ?? null, email: null, externalId: null, createdAt: at, updatedAt: at },
    agentId: 'bench', context: body.context ?? null, disposition: null, notes: null,
    interactions: [chat], createdAt: at, updatedAt: at, closedAt: null,
  };
  broadcast(frame('conversation.created', id, { conversation }));
  broadcast(frame('chat.linked', id, { sessionId: chat.providerRef, origin: chat.origin }, { interactionId: chat.id }));
  return conversation;
}

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    let body;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      res.writeHead(400, { 'content-type': 'application/json' }).end('{"title":"invalid JSON"}');
      return;
    }
    const doc = JSON.stringify(publish(body));
    res.writeHead(201, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(doc) }).end(doc);
  });
});

const wss = new WebSocketServer({ server, path: '/v1/events', maxPayload: 64 * 1024, perMessageDeflate: false });
wss.on('connection', (socket) => {
  socket.on('message', (data) => {
    let msg;
    try { msg = JSON.parse(data.toString()); } catch { return; }
    if (msg && msg.op === 'subscribe') {
      subscribed.add(socket);
      socket.send(JSON.stringify({ op: 'subscribed', topics: msg.topics }));
    }
  });
  socket.on('close', () => subscribed.delete(socket));
  socket.on('error', () => subscribed.delete(socket));
});

server.listen(0, '127.0.0.1', () => {
  answerMemoryRequests();
  process.send({ url: `http://127.0.0.1:${server.address().port}` });
});

// The parent disconnects the IPC channel (or dies): stop.
process.on('disconnect', () => {
  for (const socket of wss.clients) socket.terminate();
  wss.close();
  server.close();
  server.closeAllConnections();
});
