'use strict';
// Baseline: a bare node:http server that reads the JSON body, parses it and answers 201 with a
// small JSON document. No framework, no auth, no validation, no store. Run as a child of run.js.
const http = require('node:http');

let next = 0;
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
    const doc = JSON.stringify({ id: `c${++next}`, status: 'active', sessionId: body.chat && body.chat.sessionId });
    res.writeHead(201, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(doc) }).end(doc);
  });
});

server.listen(0, '127.0.0.1', () => {
  process.send({ url: `http://127.0.0.1:${server.address().port}` });
});

// The parent disconnects the IPC channel (or dies): stop.
process.on('disconnect', () => {
  server.close();
  server.closeAllConnections();
});
