'use strict';
// Baseline for bench/sms.js: a bare node:http server that reads the form body and answers 200 with
// empty TwiML. No parsing, signature check, store or framework. Run as a child of sms.js.
const http = require('node:http');
const answerMemoryRequests = require('./memory');

const TWIML = '<Response></Response>';

const server = http.createServer((req, res) => {
  req.on('data', () => {});
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'text/xml', 'content-length': Buffer.byteLength(TWIML) }).end(TWIML);
  });
});

server.listen(0, '127.0.0.1', () => {
  answerMemoryRequests();
  process.send({ url: `http://127.0.0.1:${server.address().port}` });
});

// The parent disconnects the IPC channel (or dies): stop.
process.on('disconnect', () => {
  server.close();
  server.closeAllConnections();
});
