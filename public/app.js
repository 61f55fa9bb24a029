'use strict';
/* Agent console for contact-gateway: plain DOM, REST with a bearer token, live events over WebSocket. */

const TOKEN_KEY = 'contact-gateway.token';
const CONVERSATION_KEY = 'contact-gateway.conversation';
/** The first cursor of the event log: subscribing with it replays a conversation from its start. */
const LOG_START = '0';
const SIMULATOR_NUMBER = '+15550100000';
const LIVE_CALL_STATES = ['initiating', 'ringing', 'answered', 'held'];
const RECONNECT_MS = 2000;

const state = {
  token: null,
  socket: null,
  reconnectTimer: null,
  conversation: null, // the open conversation, as GET /v1/conversations/:id answers it
  call: null, // the conversation's newest call, as GET /v1/calls/:id answers it
  cursors: {}, // conversation id -> last event cursor seen
  feeds: {}, // conversation id -> events seen, oldest first
  eventTypes: {}, // event type -> one line saying what happened, from the gateway's event catalogue (/asyncapi.json)
  refreshing: null,
  refreshAgain: false,
};

const $ = (id) => document.getElementById(id);

// ---- errors -------------------------------------------------------------------------------------

function showError(problem) {
  const banner = $('error');
  const detail = problem.detail || problem.title || problem.message || String(problem);
  const fields = (problem.errors || []).filter((e) => !detail.includes(e.message)).map((e) => `${e.field}: ${e.message}`);
  banner.textContent = [detail, ...fields].join(' · ');
  banner.hidden = false;
}

function clearError() {
  $('error').textContent = '';
  $('error').hidden = true;
}

/** Runs a user action: clears the banner when it succeeds, shows the problem when it fails. */
function action(fn) {
  return async (...args) => {
    try {
      await fn(...args);
      clearError();
    } catch (problem) {
      showError(problem);
    }
  };
}

// ---- REST ---------------------------------------------------------------------------------------

async function api(method, path, body) {
  const headers = { Authorization: `Bearer ${state.token}` };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = { detail: text }; }
  if (!response.ok) throw { status: response.status, title: response.statusText, ...(data || {}) };
  return data;
}

// ---- sign-in ------------------------------------------------------------------------------------

function decodeJwtPayload(token) {
  const part = token.split('.')[1];
  if (!part) throw new Error('this is not a JWT (expected three dot-separated parts)');
  const base64 = part.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(part.length / 4) * 4, '=');
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes));
}

function describeToken(payload) {
  const roles = Array.isArray(payload.roles) ? ` (${payload.roles.join(', ')})` : '';
  const expired = payload.exp && payload.exp * 1000 < Date.now() ? ' · expired' : '';
  return `agent ${payload.sub ?? '?'} · tenant ${payload.tenant ?? '?'}${roles}${expired}`;
}

async function signIn() {
  const token = $('token').value.trim();
  let payload;
  try {
    payload = decodeJwtPayload(token);
  } catch (err) {
    $('whoami').textContent = `Invalid token: ${err.message}`;
    throw { detail: `Invalid token: ${err.message}` };
  }
  state.token = token;
  sessionStorage.setItem(TOKEN_KEY, token);
  $('whoami').textContent = describeToken(payload);
  $('signout').disabled = false;
  connectSocket();
  await loadConversations();
  await reopenSavedConversation();
}

/** After a reload the conversation that was open is opened again, its feed replayed from the log. */
async function reopenSavedConversation() {
  const id = sessionStorage.getItem(CONVERSATION_KEY);
  if (!id || state.conversation) return;
  try {
    await openConversation(id);
  } catch (problem) {
    if (problem?.status !== 404) throw problem;
    sessionStorage.removeItem(CONVERSATION_KEY); // gone, or of another tenant: forget it
  }
}

function signOut() {
  sessionStorage.removeItem(TOKEN_KEY);
  state.token = null;
  closeSocket();
  closeConversation();
  state.cursors = {};
  state.feeds = {};
  $('token').value = '';
  $('whoami').textContent = 'Not signed in';
  $('signout').disabled = true;
  $('conversations').replaceChildren();
  clearError();
}

// ---- conversations list -------------------------------------------------------------------------

async function loadConversations() {
  const page = await api('GET', '/v1/conversations?limit=50');
  renderConversations(page.items || []);
}

function renderConversations(items) {
  $('conversations').replaceChildren(...items.map(conversationListItem));
}

function conversationListItem(conversation) {
  const button = document.createElement('button');
  button.type = 'button';
  button.dataset.id = conversation.id;
  button.className = conversation.id === state.conversation?.id ? 'selected' : '';
  button.textContent = [contactLabel(conversation.contact), conversation.status, formatTime(conversation.createdAt)].join(' · ');
  button.addEventListener('click', action(() => openConversation(conversation.id)));
  const item = document.createElement('li');
  item.append(button);
  return item;
}

function contactLabel(contact) {
  return contact?.phone || contact?.email || contact?.name || '(no contact details)';
}

function formatTime(iso) {
  return iso ? new Date(iso).toLocaleString() : '';
}

async function createConversation() {
  const body = {
    contact: { phone: $('new-phone').value.trim() },
    chat: { sessionId: $('new-session').value.trim(), origin: 'mobile' },
  };
  const conversation = await api('POST', '/v1/conversations', body);
  $('sim-from').value = body.contact.phone;
  await openConversation(conversation.id);
  await loadConversations();
}

// ---- the open conversation ----------------------------------------------------------------------

async function openConversation(id) {
  if (state.conversation && state.conversation.id !== id) unsubscribe(state.conversation.id);
  const conversation = await api('GET', `/v1/conversations/${encodeURIComponent(id)}`);
  state.conversation = conversation;
  state.call = null;
  sessionStorage.setItem(CONVERSATION_KEY, id);
  $('conversation').hidden = false;
  renderFeed();
  await showConversation(conversation);
  subscribe(id);
  markSelected(id);
}

function closeConversation() {
  sessionStorage.removeItem(CONVERSATION_KEY);
  state.conversation = null;
  state.call = null;
  $('conversation').hidden = true;
}

function markSelected(id) {
  for (const button of $('conversations').querySelectorAll('button[data-id]')) {
    button.classList.toggle('selected', button.dataset.id === id);
  }
}

/** Fetches the open conversation again; calls that arrive while one runs are folded into one more. */
async function refreshConversation() {
  if (state.refreshing) { state.refreshAgain = true; return state.refreshing; }
  state.refreshing = (async () => {
    do {
      state.refreshAgain = false;
      const id = state.conversation?.id;
      if (!id) break;
      const conversation = await api('GET', `/v1/conversations/${encodeURIComponent(id)}`);
      if (state.conversation?.id !== id) break;
      state.conversation = conversation;
      await showConversation(conversation);
    } while (state.refreshAgain);
  })();
  try { await state.refreshing; } finally { state.refreshing = null; }
}

async function showConversation(conversation) {
  $('conversation-status').textContent = conversation.status;
  const phone = conversation.contact?.phone;
  $('contact-phone').textContent = phone || '(no phone)';
  renderInteractions(conversation.interactions || []);
  await loadNewestCall(conversation.interactions || []);
  renderControls();
}

function renderInteractions(interactions) {
  $('interactions').replaceChildren(...interactions.map((interaction) => {
    const item = document.createElement('li');
    item.dataset.channel = interaction.channel;
    item.dataset.state = interaction.state;
    item.dataset.id = interaction.id;
    item.textContent = `${interaction.channel} · ${interaction.state}`;
    item.title = [interaction.direction, interaction.endReason, formatTime(interaction.startedAt)].filter(Boolean).join(' · ');
    return item;
  }));
}

function newestCallInteraction(interactions) {
  const calls = interactions.filter((i) => i.channel === 'voice');
  calls.sort((a, b) => String(a.startedAt).localeCompare(String(b.startedAt)));
  return calls[calls.length - 1] || null;
}

/** The call controls need `muted`, which only the call itself carries. */
async function loadNewestCall(interactions) {
  const interaction = newestCallInteraction(interactions);
  if (!interaction) { state.call = null; return; }
  if (!LIVE_CALL_STATES.includes(interaction.state)) { state.call = { ...interaction, muted: false }; return; }
  state.call = await api('GET', `/v1/calls/${encodeURIComponent(interaction.id)}`);
}

// ---- controls -----------------------------------------------------------------------------------

function renderControls() {
  const conversation = state.conversation;
  const open = Boolean(conversation) && conversation.status !== 'closed';
  const call = state.call;
  const callState = call?.state;
  const live = LIVE_CALL_STATES.includes(callState);
  const connected = callState === 'answered' || callState === 'held';
  $('call-state').textContent = callState || 'no call';
  $('contact-phone').disabled = !open || live || !conversation?.contact?.phone;
  $('hold').disabled = callState !== 'answered';
  $('resume').disabled = callState !== 'held';
  $('mute').disabled = !connected || Boolean(call?.muted);
  $('unmute').disabled = !connected || !call?.muted;
  $('hangup').disabled = !live;
  for (const key of $('dtmf').querySelectorAll('button')) key.disabled = callState !== 'answered';
  $('sms-send').disabled = !open;
  $('wrapup').disabled = !open;
}

async function placeCall() {
  const id = state.conversation.id;
  state.call = await api('POST', `/v1/conversations/${encodeURIComponent(id)}/calls`, { agentEndpoint: $('agent-endpoint').value.trim() });
  renderControls();
  await refreshConversation();
}

async function callCommand(command, body) {
  if (!state.call) throw { detail: 'There is no call in this conversation.' };
  state.call = await api('POST', `/v1/calls/${encodeURIComponent(state.call.id)}/${command}`, body);
  renderControls();
}

// ---- SMS, simulator, wrap-up --------------------------------------------------------------------

function updateSmsCounter() {
  const text = $('sms-body').value;
  const counter = window.exports && window.exports.countSegments;
  if (typeof counter !== 'function') {
    $('sms-counter').textContent = 'segment counter unavailable (/segments.js not loaded)';
    return;
  }
  const { encoding, segments } = counter(text);
  const characters = Array.from(text).length;
  $('sms-counter').textContent = `${segments} ${segments === 1 ? 'segment' : 'segments'} · ${encoding} · ${characters} ${characters === 1 ? 'character' : 'characters'}`;
}

async function sendSms() {
  const id = state.conversation.id;
  await api('POST', `/v1/conversations/${encodeURIComponent(id)}/messages`, { body: $('sms-body').value });
  $('sms-body').value = '';
  updateSmsCounter();
}

async function simulateInboundSms() {
  const body = { from: $('sim-from').value.trim(), to: SIMULATOR_NUMBER, body: $('sim-body').value };
  await api('POST', '/v1/simulator/inbound-sms', body);
  $('sim-body').value = '';
}

async function wrapUp() {
  const id = state.conversation.id;
  const body = { disposition: $('disposition').value.trim() };
  const notes = $('notes').value.trim();
  if (notes) body.notes = notes;
  await api('POST', `/v1/conversations/${encodeURIComponent(id)}/wrap-up`, body);
  await refreshConversation();
  await loadConversations();
}

// ---- live events --------------------------------------------------------------------------------

function connectSocket() {
  closeSocket();
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const socket = new WebSocket(`${scheme}//${location.host}/v1/events?access_token=${encodeURIComponent(state.token)}`);
  state.socket = socket;
  socket.addEventListener('open', () => { if (state.conversation) subscribe(state.conversation.id); });
  socket.addEventListener('message', (message) => handleFrame(JSON.parse(message.data)));
  socket.addEventListener('close', () => scheduleReconnect(socket));
}

function scheduleReconnect(socket) {
  if (state.socket !== socket || !state.token) return; // closed on purpose
  state.reconnectTimer = setTimeout(connectSocket, RECONNECT_MS);
}

function closeSocket() {
  clearTimeout(state.reconnectTimer);
  const socket = state.socket;
  state.socket = null;
  if (socket) socket.close();
}

function sendFrame(frame) {
  if (state.socket?.readyState === WebSocket.OPEN) state.socket.send(JSON.stringify(frame));
}

/**
 * Subscribes to a conversation's events. The first time (a reload, or a conversation not open
 * before) `since` is the start of the log, so the server replays the conversation's history before
 * going live; afterwards it is the last cursor seen, so nothing is missed or repeated.
 */
function subscribe(conversationId) {
  const since = state.cursors[conversationId] || LOG_START;
  sendFrame({ op: 'subscribe', topics: [`conversation:${conversationId}`], since });
}

function unsubscribe(conversationId) {
  sendFrame({ op: 'unsubscribe', topics: [`conversation:${conversationId}`] });
}

function handleFrame(frame) {
  if (frame.op === 'event') handleEvent(frame);
  else if (frame.op === 'error') showError({ detail: `Live events: ${frame.detail} (${frame.status})` });
}

function handleEvent(frame) {
  const event = frame.event;
  const conversationId = event.conversationId || frame.topic.replace(/^conversation:/, '');
  state.cursors[conversationId] = frame.cursor;
  const feed = (state.feeds[conversationId] ||= []);
  if (feed.some((seen) => seen.id === event.id)) return;
  feed.push(event);
  if (conversationId !== state.conversation?.id) return;
  $('feed').append(feedItem(event));
  $('feed').scrollTop = $('feed').scrollHeight;
  refreshConversation().catch(showError);
}

function renderFeed() {
  const events = state.feeds[state.conversation.id] || [];
  $('feed').replaceChildren(...events.map(feedItem));
}

function feedItem(event) {
  const item = document.createElement('li');
  item.dataset.type = event.type;
  const summary = summarizeEvent(event);
  item.textContent = summary ? `${event.type} — ${summary}` : event.type;
  item.title = [state.eventTypes[event.type], formatTime(event.at)].filter(Boolean).join(' · ');
  return item;
}

/**
 * The event types the gateway publishes and what each means, read from its AsyncAPI document (the
 * event catalogue): the feed's tooltips say what happened. Public, like the console's own files.
 */
async function loadEventTypes() {
  const response = await fetch('/asyncapi.json');
  if (!response.ok) return;
  const document = await response.json();
  const messages = document.components.messages;
  for (const { $ref } of document.operations.events.messages) {
    const name = $ref.slice($ref.lastIndexOf('/') + 1);
    state.eventTypes[name] = messages[name].summary;
  }
}

/** A short line from the event's data; values are shown as the server sent them (maybe masked). */
function summarizeEvent(event) {
  const data = event.data || {};
  const parts = [];
  if (data.from) parts.push(`from ${data.from}`);
  if (data.to) parts.push(`to ${data.to}`);
  if (data.body) parts.push(`“${data.body}”`);
  for (const key of ['state', 'status', 'endReason', 'disposition', 'keyword', 'errorCode', 'error']) {
    if (data[key] !== undefined && data[key] !== null && typeof data[key] !== 'object') parts.push(`${key} ${data[key]}`);
  }
  if (data.segments) parts.push(`${data.segments} seg ${data.encoding || ''}`.trim());
  return parts.join(' · ');
}

// ---- wiring -------------------------------------------------------------------------------------

function wireDtmfPad() {
  for (const key of $('dtmf').querySelectorAll('button[data-digit]')) {
    key.addEventListener('click', action(() => callCommand('dtmf', { digits: key.dataset.digit })));
  }
}

function wire() {
  $('signin').addEventListener('click', action(signIn));
  $('signout').addEventListener('click', signOut);
  $('refresh').addEventListener('click', action(loadConversations));
  $('create').addEventListener('click', action(createConversation));
  $('new-phone').addEventListener('input', () => { $('sim-from').value = $('new-phone').value.trim(); });
  $('contact-phone').addEventListener('click', action(placeCall));
  for (const command of ['hold', 'resume', 'mute', 'unmute', 'hangup']) {
    $(command).addEventListener('click', action(() => callCommand(command)));
  }
  wireDtmfPad();
  $('sms-body').addEventListener('input', updateSmsCounter);
  $('sms-send').addEventListener('click', action(sendSms));
  $('sim-send').addEventListener('click', action(simulateInboundSms));
  $('wrapup').addEventListener('click', action(wrapUp));
}

function start() {
  wire();
  updateSmsCounter();
  renderControls();
  // Without it the feed still shows each event's type; only the tooltips go without.
  loadEventTypes().then(() => { if (state.conversation) renderFeed(); }, () => {});
  const saved = sessionStorage.getItem(TOKEN_KEY);
  if (saved) {
    $('token').value = saved;
    action(signIn)();
  }
}

start();
