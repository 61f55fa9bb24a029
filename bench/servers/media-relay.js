'use strict';
// Baseline for bench/media.js: the relay people write for Twilio Media Streams — a bare node:http
// server with a `ws` WebSocketServer. Twilio connects to /webhooks/twilio/media-stream (its
// X-Twilio-Signature over the stream URL is checked with the twilio package, as the gateway does);
// a listener connects to /listen/<cid>. Each `media` message's base64 μ-law is decoded to 16-bit
// PCM and sent to the call's listeners with the gateway's 8-byte frame header (channel, timestamp),
// so both servers move the same bytes. No auth for listeners, no store, no log.
const http = require('node:http');
const { join } = require('node:path');
const { getExpectedTwilioSignature } = require('twilio/lib/webhooks/webhooks');
const { WebSocketServer } = require('ws');
const answerMemoryRequests = require('./memory');

const dist = join(__dirname, '..', '..', 'dist');
const { mulawDecode, toLeBytes } = require(join(dist, 'media', 'domain', 'pcm.js'));
const { encodeAudioFrame } = require(join(dist, 'media', 'domain', 'audio-frame.js'));

const AUTH_TOKEN = process.env.BENCH_TWILIO_TOKEN;
const PUBLIC = process.env.BENCH_PUBLIC_BASE_URL;
const STREAM_PATH = '/webhooks/twilio/media-stream';
const listeners = new Map(); // cid → Set<WebSocket>

const server = http.createServer((_req, res) => res.writeHead(404).end());
const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
server.on('upgrade', (req, socket, head) => {
  const path = req.url.split('?')[0];
  if (path === STREAM_PATH) {
    const published = `${PUBLIC.replace(/^http/, 'ws')}${req.url}`;
    if (req.headers['x-twilio-signature'] !== getExpectedTwilioSignature(AUTH_TOKEN, published, {})) {
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => twilioStream(ws));
    return;
  }
  const cid = /^\/listen\/([^/]+)$/.exec(path)?.[1];
  if (!cid) { socket.end('HTTP/1.1 404 Not Found\r\n\r\n'); return; }
  wss.handleUpgrade(req, socket, head, (ws) => {
    if (!listeners.has(cid)) listeners.set(cid, new Set());
    listeners.get(cid).add(ws);
    ws.on('close', () => listeners.get(cid)?.delete(ws));
  });
});

function twilioStream(ws) {
  let cid;
  ws.on('message', (data) => {
    const message = JSON.parse(data.toString());
    if (message.event === 'start') cid = message.start.customParameters.cid;
    if (message.event !== 'media' || !cid) return;
    const track = message.media.track === 'inbound' ? 'customer' : 'agent';
    const pcm = toLeBytes(mulawDecode(Buffer.from(message.media.payload, 'base64')));
    const frame = encodeAudioFrame(track, Number(message.media.timestamp), pcm);
    for (const listener of listeners.get(cid) ?? []) listener.send(frame, { binary: true });
  });
}

server.listen(0, '127.0.0.1', () => {
  answerMemoryRequests();
  process.send({ url: `http://127.0.0.1:${server.address().port}` });
});
process.on('disconnect', () => process.exit(0));
