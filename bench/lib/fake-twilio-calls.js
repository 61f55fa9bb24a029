'use strict';
// A stand-in for Twilio's Calls API, run inside the bench process so that send and receipt times
// come from the same clock: POST /2010-04-01/Accounts/{AC}/Calls.json with Basic auth, answered
// 201 with a CallSid JSON as test/support/fake-twilio.ts answers it. Each request's arrival time
// (performance.now() when its headers are parsed) is recorded under its `To`; anything else is
// answered 401/404 and counted in `refused`.
const { randomBytes } = require('node:crypto');
const { createServer } = require('node:http');
const { performance } = require('node:perf_hooks');

/** Resolves with { url, received: Map<To, { at, sid, params }>, refused: string[], close() }. */
function startFakeTwilioCalls(accountSid, authToken) {
  const base = `/2010-04-01/Accounts/${accountSid}`;
  const expected = `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`;
  const received = new Map();
  const refused = [];
  const json = (res, status, payload) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(payload));

  const server = createServer((req, res) => {
    const at = performance.now();
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => { body += chunk; });
    req.on('end', () => {
      if (req.headers.authorization !== expected) {
        refused.push(`401 ${req.method} ${req.url}`);
        return json(res, 401, { code: 20003, message: 'Authenticate', status: 401 });
      }
      if (req.method !== 'POST' || req.url !== `${base}/Calls.json`) {
        refused.push(`404 ${req.method} ${req.url}`);
        return json(res, 404, { code: 20404, message: 'Not found', status: 404 });
      }
      const params = new URLSearchParams(body);
      const sid = `CA${randomBytes(16).toString('hex')}`;
      received.set(params.get('To'), { at, sid, params });
      json(res, 201, {
        sid, account_sid: accountSid, to: params.get('To'), from: params.get('From'), status: 'queued',
        direction: 'outbound-api', api_version: '2010-04-01', uri: `${base}/Calls/${sid}.json`,
      });
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({
    url: `http://127.0.0.1:${server.address().port}`,
    received,
    refused,
    close: () => new Promise((done) => { server.close(() => done()); server.closeAllConnections(); }),
  })));
}

module.exports = { startFakeTwilioCalls };
