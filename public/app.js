'use strict';
/*
 * Agent console for contact-gateway: plain DOM, no build step. REST with the agent's bearer token,
 * live events over the WebSocket. The transcript is always built from the conversation's timeline
 * (GET /v1/conversations/:id/timeline); live events only say when to read it again, raise notices
 * and count unread messages. Everything a tab needs after a reload (token, open conversation,
 * socket cursor, unread counts) is kept in sessionStorage, so each tab is signed in on its own.
 */

const KEYS = {
  token: 'contact-gateway.token',
  conversation: 'contact-gateway.conversation',
  cursor: 'contact-gateway.cursor',
  unread: 'contact-gateway.unread',
};
const APP_TITLE = 'Agent console';
const LIVE_CALL_STATES = ['initiating', 'ringing', 'answered', 'held'];
const CONNECTED_CALL_STATES = ['answered', 'held'];
const RECONNECT_FIRST_MS = 1000;
const RECONNECT_MAX_MS = 30000;
const TIMELINE_PAGE = 100;

const state = {
  token: null,
  tokenClaims: null,
  me: null, // GET /v1/me: the agent, roles and the tenant's desktop settings
  socket: null,
  socketOpened: false,
  reconnectTimer: null,
  reconnectMs: RECONNECT_FIRST_MS,
  cursor: null, // the last position of the event log this tab has seen
  conversation: null, // the open conversation, as GET /v1/conversations/:id answers it
  timeline: [], // its timeline items, oldest first
  inbox: { mine: [], queue: [], all: [], callbacks: [] },
  agents: [],
  unread: {}, // conversation id -> customer messages not seen yet
  images: new Map(), // attachment href -> data: URL (the API needs the token; <img> cannot send it)
  eventTypes: {}, // event type -> what it means, from the gateway's event catalogue (/asyncapi.json)
  dtmfSent: '',
  seenEvents: new Set(), // ids of the events handled, so a replay does not count twice
  refreshers: {},
  participants: null, // { callId, items }: the parties of the open conversation's newest call (GET /v1/calls/:id, then events)
  ringing: new Map(), // call id -> { conversationId, from, at }: inbound calls offered to me or the queue, ringing now
  recordings: new Map(), // recording href -> blob: URL (the API needs the token; <audio src> cannot send it)
  players: new Map(), // recording href -> its <audio>, kept across transcript redraws so playback goes on
};

const $ = (id) => document.getElementById(id);

/** Builds an element: h('li', { class: 'x', dataset: { id } }, child, 'text', …). */
function h(tag, attrs = {}, ...children) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'dataset') Object.assign(element.dataset, value);
    else if (key.startsWith('on')) element.addEventListener(key.slice(2), value);
    else if (key === 'class') element.className = value;
    else element.setAttribute(key, value === true ? '' : value);
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
  return element;
}

// ---- errors and notices -------------------------------------------------------------------------

function showError(problem) {
  if (problem && problem.signedOut) return; // the sign-in screen already says why
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

/** A notice in the corner (a customer wrote, a conversation was assigned), with an Open button. */
function notify(text, conversationId) {
  const notice = h('div', { class: 'notice', role: 'status', dataset: { conversation: conversationId || '' } },
    h('span', { class: 'notice-text' }, text),
    conversationId ? h('button', { type: 'button', onclick: action(async () => { notice.remove(); await openConversation(conversationId); }) }, 'Open') : null,
    h('button', { type: 'button', class: 'quiet', 'aria-label': 'Dismiss', onclick: () => notice.remove() }, '×'));
  $('notices').prepend(notice);
  while ($('notices').children.length > 4) $('notices').lastElementChild.remove();
}

// ---- REST ---------------------------------------------------------------------------------------

async function api(method, path, body) {
  const headers = { Authorization: `Bearer ${state.token}` };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = { detail: text }; }
  if (response.status === 401 && state.token) {
    // The token was refused: stop everything and say so, rather than failing every request.
    signedOut(`The gateway refused your token (${data?.detail || 'unauthorised'}). Sign in again.`);
    throw { signedOut: true, status: 401 };
  }
  if (!response.ok) throw { status: response.status, title: response.statusText, ...(data || {}) };
  return data;
}

// ---- sign-in ------------------------------------------------------------------------------------

function decodeJwtPayload(token) {
  const part = token.split('.')[1];
  if (!part || token.split('.').length !== 3) throw new Error('this is not a JWT (expected three dot-separated parts)');
  const base64 = part.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(part.length / 4) * 4, '=');
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes));
}

function tokenExpired(claims) {
  return Boolean(claims?.exp) && claims.exp * 1000 <= Date.now();
}

async function signIn(token) {
  let claims;
  try {
    claims = decodeJwtPayload(token);
  } catch (err) {
    signedOut(`That is not an access token: ${err.message}.`);
    return;
  }
  if (tokenExpired(claims)) {
    signedOut('This token has expired. Ask for a new one and sign in again.');
    return;
  }
  state.token = token;
  state.tokenClaims = claims;
  let me;
  try {
    me = await api('GET', '/v1/me');
  } catch (problem) {
    if (problem.signedOut) return;
    throw problem;
  }
  state.me = me;
  sessionStorage.setItem(KEYS.token, token);
  state.cursor = sessionStorage.getItem(KEYS.cursor);
  state.unread = JSON.parse(sessionStorage.getItem(KEYS.unread) || '{}');
  showSignedIn();
  connectSocket();
  await loadInbox();
  ringForWaitingCalls();
  await reopenSavedConversation();
}

function showSignedIn() {
  const { me } = state;
  const supervisor = isSupervisor();
  $('whoami').textContent = `${me.agentId} · ${me.tenant.name}${supervisor ? ' · supervisor' : ''}`;
  $('signout').hidden = false;
  $('signin-view').hidden = true;
  $('app').hidden = false;
  $('supervisor').hidden = !supervisor;
  $('sim-card').hidden = !supervisor;
  $('agent-endpoint').value = `user:${me.agentId}`;
  $('consent-row').hidden = !me.tenant.requireConsent;
  renderDispositions();
  renderTemplates();
  updateSmsCounter();
  updateTitle();
}

function isSupervisor() {
  return Boolean(state.me?.roles?.some((role) => role === 'supervisor' || role === 'admin'));
}

/**
 * The signed-out state: the socket closed for good (no retry), everything of the session
 * forgotten, and the sign-in card saying why.
 */
function signedOut(message) {
  const hadToken = Boolean(state.token);
  state.token = null;
  state.tokenClaims = null;
  state.me = null;
  closeSocket();
  for (const key of Object.values(KEYS)) sessionStorage.removeItem(key);
  state.conversation = null;
  state.timeline = [];
  state.cursor = null;
  state.unread = {};
  state.images.clear();
  for (const url of state.recordings.values()) URL.revokeObjectURL(url);
  state.recordings.clear();
  state.players.clear();
  state.participants = null;
  state.ringing.clear();
  renderRing();
  state.inbox = { mine: [], queue: [], all: [], callbacks: [] };
  $('app').hidden = true;
  $('signin-view').hidden = false;
  $('signout').hidden = true;
  $('whoami').textContent = 'Not signed in';
  $('token').value = '';
  $('notices').replaceChildren();
  setConnection('offline', 'Offline');
  clearError();
  const note = $('signin-message');
  note.textContent = message || '';
  note.hidden = !message;
  document.title = APP_TITLE;
  if (hadToken || message) $('token').focus();
}

/** After a reload the conversation that was open is opened again, its transcript read again. */
async function reopenSavedConversation() {
  const id = sessionStorage.getItem(KEYS.conversation);
  if (!id || state.conversation) return;
  try {
    await openConversation(id);
  } catch (problem) {
    if (problem?.status !== 404) throw problem;
    sessionStorage.removeItem(KEYS.conversation); // gone, or of another tenant: forget it
  }
}

// ---- inbox --------------------------------------------------------------------------------------

async function loadInbox() {
  const supervisor = isSupervisor();
  const [mine, queue, all, agents, callbacks] = await Promise.all([
    api('GET', '/v1/conversations?assigned=me&limit=50'),
    api('GET', '/v1/conversations?assigned=none&limit=50'),
    supervisor ? api('GET', '/v1/conversations?limit=50') : null,
    supervisor ? api('GET', '/v1/agents') : null,
    api('GET', '/v1/callbacks'),
  ]);
  const open = (items) => items.filter((c) => c.status !== 'closed');
  // Callbacks still to make: mine and the pending ones (a supervisor sees everyone's).
  const waiting = callbacks.items.filter((c) => c.state === 'pending' || c.state === 'assigned');
  state.inbox = { mine: open(mine.items), queue: open(queue.items), all: all ? all.items : [], callbacks: waiting };
  if (agents) state.agents = agents.items;
  renderInbox();
}

/**
 * After a sign-in or reload the events of a call already ringing are not replayed (the cursor is
 * past them): an inbound call not yet answered, in my conversations or the queue, rings again.
 */
function ringForWaitingCalls() {
  for (const conversation of [...state.inbox.mine, ...state.inbox.queue]) {
    for (const i of conversation.interactions || []) {
      if (i.channel === 'voice' && i.direction === 'inbound' && ['initiating', 'ringing'].includes(i.state) && !state.ringing.has(i.id)) {
        startRing(i.id, { conversationId: conversation.id, from: i.from || '', at: i.startedAt });
      }
    }
  }
}

function byLastActivity(a, b) {
  return String(b.lastActivityAt || b.updatedAt).localeCompare(String(a.lastActivityAt || a.updatedAt));
}

function renderInbox() {
  // The lists are rebuilt on every event: keep the keyboard focus on the same row's button.
  const focused = document.activeElement;
  const focusKey = focused?.closest?.('.inbox-list li[data-id]') ? [focused.closest('.inbox-list').id, focused.closest('li').dataset.id, focused.className.split(' ')[0]] : null;
  renderInboxList($('mine'), state.inbox.mine, 'Nothing assigned to you.', false);
  renderInboxList($('queue'), state.inbox.queue, 'The queue is empty.', true);
  renderCallbacks();
  if (isSupervisor()) {
    renderInboxList($('all'), state.inbox.all, 'No conversations yet.', false);
    $('agents').replaceChildren(...(state.agents.length ? state.agents.map((a) => h('li', { dataset: { agent: a.agentId } }, h('span', { class: 'dot online', 'aria-hidden': 'true' }), ` ${a.agentId}`)) : [h('li', { class: 'muted' }, 'Nobody is online.')]));
    renderAssignBox();
  }
  if (focusKey) $(focusKey[0]).querySelector(`li[data-id="${CSS.escape(focusKey[1])}"] button.${focusKey[2]}`)?.focus();
  updateTitle();
}

/**
 * Callers whose wait timed out and who asked to be called back: a task waits for an available agent
 * (pending), then is theirs to dial (assigned). Dial places the call from my device in the caller's
 * conversation, which opens.
 */
function renderCallbacks() {
  const items = state.inbox.callbacks || [];
  if (items.length === 0) { $('callbacks').replaceChildren(h('li', { class: 'muted empty-item' }, 'No callbacks to make.')); return; }
  $('callbacks').replaceChildren(...items.map((task) => {
    const mine = task.agentId === state.me.agentId;
    const who = task.state === 'pending' ? 'waiting for an agent' : mine ? 'yours' : task.agentId;
    const dial = mine || isSupervisor()
      ? h('button', { type: 'button', class: 'dial', 'aria-label': `Call back ${task.number}`, onclick: action(() => dialCallback(task)) }, 'Dial')
      : null;
    return h('li', { dataset: { id: task.id, state: task.state } },
      h('button', { type: 'button', class: 'open', onclick: action(() => openConversation(task.conversationId)) },
        h('span', { class: 'who' }, task.number),
        h('span', { class: 'meta' }, h('span', { class: `badge status-${task.state}` }, task.state), ` · ${who} · `, relativeTime(task.requestedAt))),
      dial);
  }));
}

async function dialCallback(task) {
  await api('POST', `/v1/callbacks/${encodeURIComponent(task.id)}/dial`);
  await loadInbox();
  await openConversation(task.conversationId);
}

function renderInboxList(list, items, emptyText, claimable) {
  const sorted = [...items].sort(byLastActivity);
  if (sorted.length === 0) { list.replaceChildren(h('li', { class: 'muted empty-item' }, emptyText)); return; }
  list.replaceChildren(...sorted.map((conversation) => inboxItem(conversation, claimable)));
}

function inboxItem(conversation, claimable) {
  const unread = state.unread[conversation.id] || 0;
  const channels = [...new Set((conversation.interactions || []).map((i) => i.channel))];
  const open = h('button', {
    type: 'button', class: `open${conversation.id === state.conversation?.id ? ' selected' : ''}`, dataset: { id: conversation.id },
    onclick: action(() => openConversation(conversation.id)),
  },
  h('span', { class: 'who' }, contactLabel(conversation.contact)),
  unread ? h('span', { class: 'unread', 'aria-label': `${unread} unread` }, String(unread)) : null,
  h('span', { class: 'meta' },
    h('span', { class: `badge status-${conversation.status}` }, conversation.status),
    ' ', channels.map(channelIcon).join(' '),
    conversation.agentId && isSupervisor() ? ` · ${conversation.agentId}` : '',
    ' · ', relativeTime(conversation.lastActivityAt || conversation.updatedAt)));
  const claim = claimable ? h('button', { type: 'button', class: 'claim', 'aria-label': `Claim ${contactLabel(conversation.contact)}`, onclick: action(() => claimConversation(conversation.id)) }, 'Claim') : null;
  return h('li', { dataset: { id: conversation.id, unread: String(unread) } }, open, claim);
}

function channelIcon(channel) {
  return { chat: '💬', voice: '📞', sms: '✉️' }[channel] || channel;
}

function contactLabel(contact) {
  return contact?.name || contact?.phone || contact?.email || '(unknown customer)';
}

function relativeTime(iso) {
  if (!iso) return '';
  const seconds = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  if (seconds < 60) return 'just now';
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  const date = new Date(iso);
  return seconds < 86400 ? date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }) : date.toLocaleDateString();
}

function formatTime(iso) {
  return iso ? new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' }) : '';
}

function formatDuration(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  const hours = Math.floor(s / 3600);
  const mm = String(Math.floor((s % 3600) / 60)).padStart(hours ? 2 : 1, '0');
  const ss = String(s % 60).padStart(2, '0');
  return hours ? `${hours}:${mm}:${ss}` : `${mm}:${ss}`;
}

function totalUnread() {
  return Object.values(state.unread).reduce((sum, n) => sum + n, 0);
}

/** The tab's title carries the unread count, so a customer's text is seen from another tab. */
function updateTitle() {
  const total = totalUnread();
  document.title = total > 0 ? `(${total}) ${APP_TITLE}` : APP_TITLE;
}

function setUnread(conversationId, count) {
  if (count > 0) state.unread[conversationId] = count;
  else delete state.unread[conversationId];
  sessionStorage.setItem(KEYS.unread, JSON.stringify(state.unread));
  renderInbox();
}

async function claimConversation(id) {
  await api('POST', `/v1/conversations/${encodeURIComponent(id)}/claim`);
  await loadInbox();
  await openConversation(id);
}

async function createConversation() {
  const body = { contact: { phone: $('new-phone').value.trim() } };
  const name = $('new-name').value.trim();
  if (name) body.contact.name = name;
  const session = $('new-session').value.trim();
  if (session) body.chat = { sessionId: session, origin: 'mobile' };
  const context = $('new-context').value.trim();
  if (context) {
    try { body.context = JSON.parse(context); } catch { throw { detail: 'Context must be JSON, e.g. {"gps":[51.5,-0.12]}' }; }
  }
  const conversation = await api('POST', '/v1/conversations', body);
  $('sim-from').value = body.contact.phone;
  for (const id of ['new-session', 'new-phone', 'new-name', 'new-context']) $(id).value = '';
  $('new-card').open = false;
  await openConversation(conversation.id);
  await loadInbox();
}

async function simulateInboundSms() {
  const to = state.me.tenant.numbers[0] || '+15550100000'; // with no tenants configured, the default tenant owns every number
  await api('POST', '/v1/simulator/inbound-sms', { from: $('sim-from').value.trim(), to, body: $('sim-body').value });
  $('sim-body').value = '';
}

// ---- ringing: inbound calls offered to me or the queue ------------------------------------------

/*
 * A ring tone made with the Web Audio API (no file to download): two sine tones, 400 and 450 Hz,
 * through one gain node switched on and off in the pattern of a phone ring — 0.4 s on, 0.2 s off,
 * 0.4 s on, 2 s off. Browsers keep an AudioContext suspended until the user has clicked or typed on
 * the page (after a reload with a saved token, nobody has): the banner then offers "Enable sound",
 * and any click on the page also lets it sound.
 */
const RING_TONES_HZ = [400, 450];
const RING_PATTERN = [[0, 0.4], [0.6, 1.0]]; // seconds within each cycle when the tone sounds
const RING_CYCLE_S = 3;
const RING_VOLUME = 0.12;
const ringer = { context: null, gain: null, oscillators: [], timer: null, scheduledUntil: 0 };

/** The page's one AudioContext, made on first need (its state says whether the browser lets it sound). */
function audioContext() {
  if (ringer.context) return ringer.context;
  const Context = window.AudioContext || window.webkitAudioContext;
  if (!Context) return null;
  ringer.context = new Context();
  ringer.context.addEventListener('statechange', renderSoundState);
  return ringer.context;
}

function startRingTone() {
  const context = audioContext();
  if (!context) { renderSoundState(); return; }
  if (ringer.oscillators.length === 0) {
    ringer.gain = context.createGain();
    ringer.gain.gain.value = 0;
    ringer.gain.connect(context.destination);
    ringer.oscillators = RING_TONES_HZ.map((hz) => {
      const oscillator = context.createOscillator();
      oscillator.type = 'sine';
      oscillator.frequency.value = hz;
      oscillator.connect(ringer.gain);
      oscillator.start();
      return oscillator;
    });
    ringer.scheduledUntil = context.currentTime + 0.05;
    scheduleRingCycles();
    ringer.timer = setInterval(scheduleRingCycles, 1000);
  }
  // Allowed once the page had a click or key press; otherwise it stays suspended and the banner asks.
  if (context.state === 'suspended') context.resume().catch(() => {});
  renderSoundState();
}

/** Keeps the on/off pattern scheduled a few seconds ahead of the audio clock. */
function scheduleRingCycles() {
  const { context, gain } = ringer;
  if (!context || !gain) return;
  // While suspended the clock stands still: nothing to add, and a resume starts where it stopped.
  if (ringer.scheduledUntil < context.currentTime) ringer.scheduledUntil = context.currentTime + 0.05;
  while (ringer.scheduledUntil < context.currentTime + 2 * RING_CYCLE_S) {
    const start = ringer.scheduledUntil;
    for (const [on, off] of RING_PATTERN) {
      gain.gain.setValueAtTime(RING_VOLUME, start + on);
      gain.gain.setValueAtTime(0, start + off);
    }
    ringer.scheduledUntil = start + RING_CYCLE_S;
  }
}

function stopRingTone() {
  clearInterval(ringer.timer);
  ringer.timer = null;
  for (const oscillator of ringer.oscillators) { try { oscillator.stop(); } catch { /* already stopped */ } oscillator.disconnect(); }
  ringer.oscillators = [];
  if (ringer.gain) { ringer.gain.disconnect(); ringer.gain = null; }
  renderSoundState();
}

/** "Enable sound" shows while a call rings and the browser keeps the audio suspended. */
function renderSoundState() {
  const context = ringer.context;
  const audio = !(window.AudioContext || window.webkitAudioContext) ? 'unavailable' : context ? context.state : 'none';
  const banner = $('ring');
  banner.dataset.audio = audio;
  $('enable-sound').hidden = !(state.ringing.size > 0 && audio === 'suspended');
}

function enableSound() {
  const context = audioContext();
  if (context) context.resume().then(renderSoundState, renderSoundState);
}

/** The call events that start or stop a ring on this console. */
function applyRingEvent(event) {
  const callId = event.interactionId;
  if (!callId || !event.type.startsWith('call.')) return;
  const me = state.me?.agentId;
  switch (event.type) {
    case 'call.incoming':
      // Offered to me, or waiting in the queue for anyone: ring. Offered to another agent: theirs rings.
      if (event.data.offeredTo === me || event.data.offeredTo === null) {
        startRing(callId, { conversationId: event.conversationId, from: event.data.from || '', at: event.at || new Date().toISOString() });
      }
      return;
    case 'call.accepted': // someone answered it (maybe in another tab)
    case 'call.requeued': // it rang out on an agent (RONA): it waits in the queue list, with Claim
    case 'call.voicemail':
    case 'call.answered':
    case 'call.ended':
    case 'call.failed':
      stopRing(callId);
      return;
    default:
  }
}

function startRing(callId, offer) {
  state.ringing.set(callId, offer);
  renderRing();
}

function stopRing(callId) {
  if (!state.ringing.delete(callId)) return;
  renderRing();
}

/** The banner shows the newest call ringing (and how many more); the tone plays while any rings. */
function renderRing() {
  const banner = $('ring');
  const calls = [...state.ringing.entries()];
  const newest = calls[calls.length - 1];
  banner.hidden = !newest;
  banner.dataset.ringing = String(Boolean(newest));
  if (newest) {
    const [callId, offer] = newest;
    banner.dataset.call = callId;
    banner.dataset.conversation = offer.conversationId;
    $('ring-text').textContent = `Incoming call from ${offer.from || 'a customer'}${calls.length > 1 ? ` (+${calls.length - 1} more ringing)` : ''}`;
    startRingTone();
  } else {
    delete banner.dataset.call;
    delete banner.dataset.conversation;
    $('ring-text').textContent = '';
    stopRingTone();
  }
  renderSoundState();
}

/** One click: answer the call (its device rings), stop ringing, open its conversation. */
async function answerRinging() {
  const callId = $('ring').dataset.call;
  const offer = state.ringing.get(callId);
  if (!offer) return;
  try {
    await api('POST', `/v1/calls/${encodeURIComponent(callId)}/answer`);
  } catch (problem) {
    if (problem.status === 409 || problem.status === 404) {
      // Another agent was faster, or the caller hung up: it no longer rings for me.
      stopRing(callId);
      throw { detail: `That call was not yours to answer: ${problem.detail || problem.title}` };
    }
    throw problem;
  }
  stopRing(callId);
  await openConversation(offer.conversationId);
  await loadInbox();
}

// ---- the open conversation ----------------------------------------------------------------------

async function openConversation(id) {
  const previous = state.conversation?.id;
  const conversation = await api('GET', `/v1/conversations/${encodeURIComponent(id)}`);
  if (previous && previous !== id) {
    sendFrame({ op: 'unsubscribe', topics: [`conversation:${previous}`] });
    state.timeline = [];
    resetComposer();
    state.dtmfSent = '';
    $('dtmf-feedback').textContent = '';
    state.participants = null;
    setPartyFeedback('', '');
  }
  state.conversation = conversation;
  sessionStorage.setItem(KEYS.conversation, id);
  $('empty').hidden = true;
  $('conversation').hidden = false;
  $('side').hidden = false;
  subscribeConversation(id);
  setUnread(id, 0);
  showConversation();
  await Promise.all([loadTranscript(), loadHistory(), loadParticipants()]);
}

/** Reads the open conversation again (and its transcript); calls made meanwhile fold into one more. */
function refreshOpen() {
  return coalesce('open', async () => {
    const id = state.conversation?.id;
    if (!id) return;
    const conversation = await api('GET', `/v1/conversations/${encodeURIComponent(id)}`);
    if (state.conversation?.id !== id) return;
    state.conversation = conversation;
    showConversation();
    await Promise.all([loadTranscript(), loadParticipants()]);
  });
}

/** Runs `fn` now, or once more after the run in progress: never two at once, never a lost call. */
function coalesce(name, fn) {
  const slot = (state.refreshers[name] ||= { running: null, again: false });
  if (slot.running) { slot.again = true; return slot.running; }
  slot.running = (async () => {
    try {
      do { slot.again = false; await fn(); } while (slot.again);
    } finally {
      slot.running = null;
    }
  })();
  return slot.running;
}

function showConversation() {
  const c = state.conversation;
  const mine = c.agentId === state.me.agentId;
  $('conversation-title').textContent = contactLabel(c.contact);
  $('conversation-status').textContent = c.status;
  $('conversation-status').className = `badge status-${c.status}`;
  // Agents added beside its own agent (POST /v1/conversations/:id/agents) follow it too.
  const beside = (c.agents ?? []).filter((a) => a !== c.agentId).map((a) => (a === state.me.agentId ? 'you' : a));
  $('conversation-agent').textContent = (c.agentId ? (mine ? 'Assigned to you' : `Assigned to ${c.agentId}`) : 'In the queue')
    + (beside.length ? ` · with ${beside.join(', ')}` : '');
  $('claim').hidden = Boolean(c.agentId) || c.status === 'closed';
  $('release').hidden = !mine || c.status === 'closed';
  renderAssignBox();
  renderContact();
  renderCall();
  renderWrapUp();
  for (const button of document.querySelectorAll('.inbox-list button.open')) button.classList.toggle('selected', button.dataset.id === c.id);
}

function renderAssignBox() {
  const c = state.conversation;
  const show = isSupervisor() && c && c.status !== 'closed';
  $('assign-box').hidden = !show;
  if (!show) return;
  const select = $('assign-agent');
  const chosen = select.value;
  const agents = [...new Set([...state.agents.map((a) => a.agentId), state.me.agentId])].filter((a) => a !== c.agentId);
  select.replaceChildren(...agents.map((a) => h('option', { value: a }, a)));
  if (agents.includes(chosen)) select.value = chosen;
  $('assign').disabled = agents.length === 0;
}

async function assignConversation() {
  const agentId = $('assign-agent').value;
  if (!agentId) throw { detail: 'Choose an agent to assign the conversation to.' };
  await api('POST', `/v1/conversations/${encodeURIComponent(state.conversation.id)}/assign`, { agentId });
  await refreshOpen();
  await loadInbox();
}

async function releaseConversation() {
  await api('POST', `/v1/conversations/${encodeURIComponent(state.conversation.id)}/release`);
  await refreshOpen();
  await loadInbox();
}

// ---- transcript ---------------------------------------------------------------------------------

async function loadTranscript() {
  const id = state.conversation?.id;
  if (!id) return;
  const items = [];
  let cursor = null;
  do {
    const query = `limit=${TIMELINE_PAGE}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const page = await api('GET', `/v1/conversations/${encodeURIComponent(id)}/timeline?${query}`);
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  if (state.conversation?.id !== id) return;
  state.timeline = items;
  renderTranscript();
}

function renderTranscript() {
  const list = $('transcript');
  const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
  const rendered = state.timeline.map(transcriptItem).filter(Boolean);
  list.replaceChildren(...(rendered.length ? rendered : [h('li', { class: 'system muted' }, 'Nothing has happened yet.')]));
  if (atBottom || list.dataset.conversation !== state.conversation.id) list.scrollTop = list.scrollHeight;
  list.dataset.conversation = state.conversation.id;
  tick();
}

/**
 * How each kind of timeline item is drawn. Other features add their own here; an item of a kind
 * not listed still shows, as a line with its type and time.
 */
const TIMELINE_RENDERERS = {
  chat_linked: (item) => systemLine(item, '💬', `Chat linked${item.data.origin ? ` (${item.data.origin})` : ''} · session ${item.data.sessionId ?? ''}`),
  chat_ended: (item) => systemLine(item, '💬', 'Chat ended'),
  message: messageBubble,
  call: callCard,
  assigned: (item) => systemLine(item, '👤', `Assigned to ${item.data.agentId}${item.data.by && item.data.by !== item.data.agentId ? ` by ${item.data.by}` : ''}`),
  released: (item) => systemLine(item, '👤', `Released to the queue${item.data.by ? ` by ${item.data.by}` : ''}`),
  agent_added: (item) => systemLine(item, '👥', `${item.data.agentId} joined${item.data.by && item.data.by !== item.data.agentId ? ` (added by ${item.data.by})` : ''}`),
  agent_removed: (item) => systemLine(item, '👥', item.data.reason === 'transferred' ? `${item.data.agentId} took the conversation over`
    : `${item.data.agentId} left${item.data.by && item.data.by !== item.data.agentId ? ` (removed by ${item.data.by})` : ''}`),
  recording_started: (item) => systemLine(item, '⏺', 'Recording started'),
  recording_paused: (item) => systemLine(item, '⏸', 'Recording paused'),
  recording_resumed: (item) => systemLine(item, '⏺', 'Recording resumed'),
  recording_stopped: (item) => systemLine(item, '⏹', 'Recording stopped'),
  recording_deleted: (item) => systemLine(item, '🗑', `Recording deleted${item.data.reason ? ` (${item.data.reason})` : ''}`),
  recording_available: recordingItem,
  wrapped_up: (item) => h('li', { class: 'system wrapped', dataset: { type: item.type } },
    h('span', { class: 'icon', 'aria-hidden': 'true' }, '✅'), ' ',
    h('span', {}, `Wrapped up: ${item.data.disposition}`, item.data.agentId ? ` · ${item.data.agentId}` : ''),
    item.data.notes ? h('p', { class: 'note' }, `📝 ${item.data.notes}`) : null,
    h('time', { datetime: item.at }, formatTime(item.at))),
};

function transcriptItem(item) {
  const render = TIMELINE_RENDERERS[item.type];
  return render ? render(item) : systemLine(item, '•', humanizeType(item.type));
}

function humanizeType(type) {
  const words = String(type).replace(/[._]/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function systemLine(item, icon, text) {
  return h('li', { class: 'system', dataset: { type: item.type } },
    h('span', { class: 'icon', 'aria-hidden': 'true' }, icon), ' ', h('span', {}, text), h('time', { datetime: item.at }, formatTime(item.at)));
}

const DELIVERY_LABELS = { queued: 'Sending…', sending: 'Sending…', sent: 'Sent ✓', delivered: 'Delivered ✓✓', undelivered: 'Not delivered ⚠', failed: 'Failed ⚠', received: '' };

function messageBubble(item) {
  const m = item.data;
  const inbound = m.direction === 'inbound';
  const pictures = (m.attachments || []).filter((a) => String(a.contentType).startsWith('image/'));
  const files = (m.attachments || []).filter((a) => !String(a.contentType).startsWith('image/'));
  const error = m.error ? ` · ${m.error.message || m.error.code}` : '';
  return h('li', { class: `bubble ${inbound ? 'in' : 'out'}`, dataset: { type: 'message', id: m.id, state: m.state } },
    h('span', { class: 'channel' }, `✉️ SMS ${inbound ? `from ${m.from ?? ''}` : `to ${m.to ?? ''}`}`),
    m.body ? h('p', { class: 'body' }, m.body) : null,
    pictures.length ? h('div', { class: 'pictures' }, pictures.map(pictureThumb)) : null,
    files.map((a) => h('p', { class: 'muted' }, `📎 ${a.contentType}`)),
    h('span', { class: 'meta' },
      h('time', { datetime: item.at }, formatTime(item.at)),
      inbound ? '' : h('span', { class: `delivery state-${m.state}` }, ` · ${DELIVERY_LABELS[m.state] ?? m.state}${error}`),
      m.segments > 1 ? ` · ${m.segments} segments` : ''));
}

/** A picture the customer sent: fetched with the token (as a data: URL), enlarged on click. */
function pictureThumb(attachment) {
  const img = h('img', { alt: 'Picture sent by the customer', class: 'thumb-img' });
  const button = h('button', { type: 'button', class: 'thumb', 'aria-label': 'Enlarge picture', onclick: () => enlarge(attachment, img) }, img);
  loadImage(attachment.href).then((url) => { img.src = url; }, () => { img.alt = 'Picture could not be loaded'; });
  return button;
}

async function loadImage(href) {
  if (state.images.has(href)) return state.images.get(href);
  const response = await fetch(href, { headers: { Authorization: `Bearer ${state.token}` } });
  if (!response.ok) throw new Error(`${response.status}`);
  const blob = await response.blob();
  const url = await new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result);
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(blob);
  });
  state.images.set(href, url);
  return url;
}

/**
 * A finished recording (or a voicemail), playable where it happened. `<audio src>` cannot send the
 * bearer token, so the file is fetched with it and played from a blob: URL (the page's policy
 * allows blob: media); one deleted since is shown as gone, never fetched.
 */
function recordingItem(item) {
  const r = item.data;
  const deleted = state.timeline.some((other) => other.type === 'recording_deleted' && other.data.recordingId === r.recordingId);
  const seconds = typeof r.durationMs === 'number' ? formatDuration(r.durationMs / 1000) : '';
  const li = h('li', { class: 'system recording', dataset: { type: item.type, id: r.recordingId } },
    h('span', { class: 'icon', 'aria-hidden': 'true' }, '🎧'), ' ',
    h('span', {}, `Recording${seconds ? ` · ${seconds}` : ''}${deleted ? ' · deleted' : ''}`),
    h('time', { datetime: item.at }, formatTime(item.at)));
  if (deleted || !r.href) return li;
  // The transcript is redrawn on every event: the same element moves to the new item, still playing.
  const kept = state.players.get(r.href);
  if (kept) { li.append(kept); return li; }
  const player = h('div', { class: 'player' },
    h('audio', { controls: true, preload: 'metadata', 'aria-label': `Recording of the call at ${formatTime(item.at)}` }),
    h('span', { class: 'muted', role: 'status' }, 'Loading…'));
  state.players.set(r.href, player);
  li.append(player);
  const [audio, status] = player.children;
  loadRecording(r.href).then((url) => { audio.src = url; status.remove(); }, (err) => {
    status.textContent = `The recording could not be loaded (${err.message}).`;
    state.players.delete(r.href); // tried again at the next redraw
  });
  return li;
}

async function loadRecording(href) {
  if (state.recordings.has(href)) return state.recordings.get(href);
  const response = await fetch(href, { headers: { Authorization: `Bearer ${state.token}` } });
  if (!response.ok) throw new Error(response.status === 409 ? 'not ready yet' : `${response.status}`);
  const url = URL.createObjectURL(await response.blob());
  state.recordings.set(href, url);
  return url;
}

function enlarge(attachment, img) {
  $('lightbox-img').src = img.src;
  $('lightbox-img').alt = img.alt;
  $('lightbox').showModal();
}

const CALL_LABELS = { initiating: 'Calling…', ringing: 'Ringing…', answered: 'Connected', held: 'On hold', ended: 'Ended', failed: 'Failed' };

/** How each step of a call is told; a step of a kind not listed shows its kind. */
const CALL_STEP_RENDERERS = {
  held: () => '⏸ Put on hold',
  resumed: () => '▶️ Taken off hold',
  muted: () => '🔇 Microphone muted',
  unmuted: () => '🎙 Microphone unmuted',
  dtmf_sent: (step) => `🔢 ${step.digitCount} key${step.digitCount === 1 ? '' : 's'} sent`,
  transferred: (step) => `↪️ ${step.consultative ? 'Handed over' : 'Transferred'} to ${step.to}`,
  participant_joined: (step) => `➕ ${step.role} ${step.endpoint ?? ''} joined${step.mode && step.mode !== 'talk' ? ` (${PARTY_MODE_LABELS[step.mode] || step.mode})` : ''}`,
  participant_left: (step) => `➖ ${step.role} ${step.endpoint ?? ''} left${step.reason ? ` (${PARTY_REASON_LABELS[step.reason] || step.reason})` : ''}`,
  participant_updated: (step) => `🔁 ${step.role} ${step.endpoint ?? ''}: ${PARTY_STATE_LABELS[step.state] || step.state}, ${PARTY_MODE_LABELS[step.mode] || step.mode}`,
};

function callCard(item) {
  const c = item.data;
  const live = LIVE_CALL_STATES.includes(c.state);
  const inbound = c.direction === 'inbound';
  const who = inbound ? `from ${c.from ?? ''}` : `to ${c.to ?? ''}`;
  const time = live && c.answeredAt
    ? h('span', { class: 'timer live', dataset: { since: c.answeredAt } }, '')
    : c.durationSeconds !== null && c.durationSeconds !== undefined
      ? h('span', { class: 'duration' }, `Duration ${formatDuration(c.durationSeconds)}${c.holdSeconds ? ` (${formatDuration(c.holdSeconds)} on hold)` : ''}`)
      : null;
  return h('li', { class: `call-card${live ? ' live' : ''}`, dataset: { type: 'call', id: c.id, state: c.state } },
    h('div', { class: 'call-head' },
      h('span', {}, `📞 ${inbound ? 'Inbound' : 'Outbound'} call ${who}`),
      h('strong', { class: `badge call-${c.state}` }, CALL_LABELS[c.state] || c.state),
      c.muted && live ? h('span', { class: 'badge muted-badge' }, '🔇 Muted') : null,
      time),
    (c.steps || []).length ? h('ul', { class: 'steps' }, c.steps.map((step) => h('li', { dataset: { kind: step.kind } },
      (CALL_STEP_RENDERERS[step.kind] || ((s) => humanizeType(s.kind)))(step), ' ', h('time', { datetime: step.at }, formatTime(step.at))))) : null,
    h('span', { class: 'meta' }, h('time', { datetime: item.at }, formatTime(item.at)),
      c.endReason && !live ? ` · ${c.endReason}` : '',
      c.consent ? ` · consent ${c.consent.via}` : ''));
}

/** Every second: live timers count up (call cards, the call panel, wrap-up). */
function tick() {
  for (const timer of document.querySelectorAll('[data-since]')) {
    timer.textContent = formatDuration((Date.now() - Date.parse(timer.dataset.since)) / 1000);
  }
}

// ---- contact panel ------------------------------------------------------------------------------

function renderContact() {
  const contact = state.conversation.contact || {};
  $('contact-name').textContent = contact.name || '—';
  $('contact-phone').textContent = contact.phone || '(no phone)';
  $('contact-email').textContent = contact.email || '—';
  renderContext(state.conversation.context);
}

/** Where a screen-pop context holds a position: `gps: [lat, lon]`, `{ lat, lon|lng }` or top-level keys. */
function positionOf(context) {
  const pick = (o) => {
    if (Array.isArray(o) && o.length >= 2 && o.every((n) => typeof n === 'number')) return [o[0], o[1]];
    if (o && typeof o === 'object') {
      const lat = o.lat ?? o.latitude;
      const lon = o.lon ?? o.lng ?? o.longitude;
      if (typeof lat === 'number' && typeof lon === 'number') return [lat, lon];
    }
    return null;
  };
  for (const key of ['gps', 'position', 'location', 'coordinates']) {
    const found = pick(context[key]);
    if (found) return { key, position: found };
  }
  const top = pick(context);
  return top ? { key: null, position: top } : null;
}

function renderContext(context) {
  const box = $('context');
  if (!context || Object.keys(context).length === 0) { box.replaceChildren(h('p', { class: 'muted' }, 'No screen-pop data.')); return; }
  const found = positionOf(context);
  const rows = [];
  if (found) {
    const [lat, lon] = found.position;
    const text = `${lat.toFixed(5)}, ${lon.toFixed(5)}`;
    rows.push(h('p', { class: 'gps' }, '📍 ', h('span', { id: 'gps-coordinates' }, text), ' ',
      h('a', { href: `https://www.openstreetmap.org/?mlat=${lat}&mlon=${lon}#map=16/${lat}/${lon}`, target: '_blank', rel: 'noopener noreferrer' }, 'Map')));
  }
  const skip = new Set(found ? (found.key ? [found.key] : ['lat', 'latitude', 'lon', 'lng', 'longitude']) : []);
  const rest = Object.entries(context).filter(([key]) => !skip.has(key));
  if (rest.length) {
    rows.push(h('dl', { class: 'facts' }, rest.flatMap(([key, value]) => [h('dt', {}, key), h('dd', {}, typeof value === 'object' ? JSON.stringify(value) : String(value))])));
  }
  box.replaceChildren(...rows);
}

async function loadHistory() {
  const conversation = state.conversation;
  if (!conversation?.contact?.id) return;
  const page = await api('GET', `/v1/contacts/${encodeURIComponent(conversation.contact.id)}/activities?limit=10`);
  if (state.conversation?.id !== conversation.id) return;
  const past = page.items.filter((a) => a.id !== conversation.id);
  $('history').replaceChildren(...(past.length ? past.map((a) => h('li', {},
    h('button', { type: 'button', class: 'link', dataset: { id: a.id }, onclick: action(() => openConversation(a.id)) },
      `${new Date(a.createdAt).toLocaleDateString()} · ${(a.channels || []).map(channelIcon).join(' ')} · ${a.status}${a.disposition ? ` · ${a.disposition}` : ''}`),
    a.lastMessage ? h('p', { class: 'muted preview' }, a.lastMessage.preview) : null)) : [h('li', { class: 'muted' }, 'First conversation with this contact.')]));
}

// ---- call controls ------------------------------------------------------------------------------

function newestCall() {
  const calls = (state.conversation?.interactions || []).filter((i) => i.channel === 'voice');
  calls.sort((a, b) => String(a.startedAt).localeCompare(String(b.startedAt)));
  return calls[calls.length - 1] || null;
}

function renderCall() {
  const conversation = state.conversation;
  const open = conversation.status !== 'closed';
  const call = newestCall();
  const callState = call?.state;
  const live = LIVE_CALL_STATES.includes(callState);
  const connected = CONNECTED_CALL_STATES.includes(callState);
  const muted = Boolean(call?.muted) && connected;
  const badge = $('call-state');
  badge.textContent = call ? CALL_LABELS[callState] || callState : 'no call';
  badge.className = `badge call-${callState || 'none'}`;
  badge.dataset.state = callState || 'none';
  const timer = $('call-timer');
  if (live && call.answeredAt) timer.dataset.since = call.answeredAt;
  else delete timer.dataset.since;
  timer.textContent = !live && call?.durationSeconds != null ? `lasted ${formatDuration(call.durationSeconds)}` : '';
  $('mute-state').hidden = !muted;
  const consentNeeded = state.me.tenant.requireConsent && !$('consent').checked;
  $('contact-phone').disabled = !open || live || !conversation.contact?.phone || consentNeeded;
  $('hold').disabled = callState !== 'answered';
  $('resume').disabled = callState !== 'held';
  $('mute').disabled = !connected || muted;
  $('mute').setAttribute('aria-pressed', String(muted));
  $('mute').textContent = muted ? '🔇 Muted' : 'Mute';
  $('unmute').disabled = !connected || !muted;
  $('hangup').disabled = !live;
  // An inbound call ringing on the consoles: answering connects this agent's device (409 if another agent was faster).
  $('answer').hidden = !(call && call.direction === 'inbound' && ['initiating', 'ringing'].includes(callState));
  for (const key of $('dtmf').querySelectorAll('button')) key.disabled = callState !== 'answered';
  renderParties();
  tick();
}

async function placeCall() {
  const body = { agentEndpoint: $('agent-endpoint').value.trim() };
  if (state.me.tenant.requireConsent) body.consent = { via: 'chat', at: new Date().toISOString() };
  await api('POST', `/v1/conversations/${encodeURIComponent(state.conversation.id)}/calls`, body);
  state.dtmfSent = '';
  $('dtmf-feedback').textContent = '';
  await refreshOpen();
}

async function callCommand(command, body) {
  const call = newestCall();
  if (!call) throw { detail: 'There is no call in this conversation.' };
  const view = await api('POST', `/v1/calls/${encodeURIComponent(call.id)}/${command}`, body);
  // Show the new state at once; the events that follow refresh the rest.
  Object.assign(call, { state: view.state, muted: view.muted });
  if (command === 'answer') stopRing(call.id);
  renderCall();
  return view;
}

/** A key of the keypad: says it is being sent, then that it was (or why not). */
async function sendDigit(digit) {
  const feedback = $('dtmf-feedback');
  const key = $('dtmf').querySelector(`[data-digit="${CSS.escape(digit)}"]`);
  key?.classList.add('pressed');
  feedback.className = 'dtmf-feedback sending';
  feedback.textContent = `Sending ${digit}…`;
  try {
    await callCommand('dtmf', { digits: digit });
    state.dtmfSent += digit;
    feedback.className = 'dtmf-feedback sent';
    feedback.textContent = `Sent ${state.dtmfSent} ✓`;
    scheduleOpenRefresh(); // keys sent are a step of the call, but no event says so: read the timeline again
  } catch (problem) {
    feedback.className = 'dtmf-feedback failed';
    feedback.textContent = `${digit} not sent: ${problem.detail || problem.title || 'error'}`;
    throw problem;
  } finally {
    key?.classList.remove('pressed');
  }
}

// ---- parties of a call: consult, conference, supervise -----------------------------------------

const PARTY_STATE_LABELS = { dialing: 'Dialling…', ringing: 'Ringing…', connected: 'Connected', held: 'On hold', left: 'Left' };
const PARTY_MODE_LABELS = { talk: 'talking', private: 'private with the agent', monitor: 'listening', whisper: 'whispering to the agent', barge: 'talking with everyone' };
const PARTY_REASON_LABELS = {
  completed: 'hung up', busy: 'busy', 'no-answer': 'no answer', rejected: 'declined', canceled: 'cancelled', failed: 'failed',
  removed: 'removed', 'call-ended': 'the call ended',
};

/** The parties of the open conversation's newest call, while it is live (an ended call's are on its card). */
async function loadParticipants() {
  const call = newestCall();
  if (!call || !LIVE_CALL_STATES.includes(call.state)) {
    if (state.participants && state.participants.callId !== call?.id) state.participants = null;
    renderParties();
    return;
  }
  const view = await api('GET', `/v1/calls/${encodeURIComponent(call.id)}`);
  if (newestCall()?.id !== view.id) return;
  state.participants = { callId: view.id, items: view.participants || [] };
  renderParties();
}

/** A `call.participant.*` event: the party as it is now, shown at once (the reload that follows confirms it). */
function applyParticipantEvent(event) {
  const party = event.data;
  if (!party?.participantId || state.participants?.callId !== event.interactionId) return;
  const items = state.participants.items;
  const index = items.findIndex((p) => p.participantId === party.participantId);
  if (index >= 0) items[index] = { ...items[index], ...party };
  else items.push(party);
  renderParties();
}

/** The consultee talking privately with the agent while the customer holds, if any (as the gateway decides it). */
function consultation(items) {
  return items.find((p) => p.role === 'consultee' && p.mode === 'private' && p.state !== 'left');
}

function mySupervision(items) {
  return items.find((p) => p.role === 'supervisor' && p.addedBy === state.me.agentId && p.state !== 'left');
}

function participantItem(p) {
  const mine = p.addedBy === state.me.agentId && p.role === 'supervisor';
  const gone = p.state === 'left';
  return h('li', { class: mine ? 'me' : '', dataset: { participant: p.participantId, role: p.role, state: p.state, mode: p.mode } },
    h('span', { class: 'role' }, p.role),
    h('span', { class: 'endpoint' }, p.endpoint || ''),
    h('span', { class: `badge party-state state-${p.state}` }, `${PARTY_STATE_LABELS[p.state] || p.state}${gone && p.reason ? ` (${PARTY_REASON_LABELS[p.reason] || p.reason})` : ''}`),
    gone ? null : h('span', { class: 'mode' }, PARTY_MODE_LABELS[p.mode] || p.mode));
}

/** The list and which buttons the call's state allows (the gateway's own rules; it still answers 409 if they changed meanwhile). */
function renderParties() {
  const box = $('parties');
  const call = newestCall();
  const parties = state.participants && call && state.participants.callId === call.id ? state.participants.items : null;
  const live = Boolean(call) && LIVE_CALL_STATES.includes(call.state);
  box.hidden = !live || !parties;
  if (box.hidden) return;
  $('participants').replaceChildren(...parties.map(participantItem));
  const connected = CONNECTED_CALL_STATES.includes(call.state);
  const consult = consultation(parties);
  const target = $('party-to').value.trim();
  $('consult').disabled = !connected || Boolean(consult) || !target;
  $('add-party').disabled = !connected || Boolean(consult) || !target;
  $('consult-complete').disabled = !consult || consult.state !== 'connected';
  $('consult-merge').disabled = !consult || consult.state !== 'connected';
  $('consult-cancel').disabled = !consult;
  box.dataset.consulting = String(Boolean(consult));
  if (consult) {
    // While consulting, the call's own resume and keys wait (409): complete, merge or cancel first.
    $('resume').disabled = true;
    for (const key of $('dtmf').querySelectorAll('button')) key.disabled = true;
  }
  const supervisor = isSupervisor();
  $('supervise-box').hidden = !supervisor;
  if (supervisor) {
    const mine = mySupervision(parties);
    box.dataset.supervising = mine ? mine.mode : '';
    $('supervise').disabled = !connected || Boolean(mine);
    $('supervise-switch').disabled = !connected || !mine || mine.mode === $('supervise-mode').value;
    $('supervise-switch').textContent = mine && mine.mode !== $('supervise-mode').value ? `Switch to ${$('supervise-mode').value}` : 'Switch mode';
  }
}

function setPartyFeedback(kind, text) {
  const feedback = $('party-feedback');
  feedback.className = `party-feedback${kind ? ` ${kind}` : ''}`;
  feedback.textContent = text;
}

/** A refusal said in words: what the state forbids (409) or what the phone system cannot do (422). */
function partyProblemText(problem) {
  const detail = problem.detail || problem.title || 'unknown error';
  if (problem.status === 409) return `Not possible right now: ${detail}.`;
  if (problem.status === 422) return `Your phone system cannot do this: ${detail}.`;
  if (problem.status === 403) return `You may not do this: ${detail}.`;
  if (problem.status === 404) return `Not found: ${detail}.`;
  return `Failed: ${detail}.`;
}

/** A command on the call's parties; the call it answers (with its participants) is shown at once. */
async function partyCommand(method, path, body, done) {
  const call = newestCall();
  if (!call) throw { detail: 'There is no call in this conversation.' };
  setPartyFeedback('sending', 'Sending…');
  let view;
  try {
    view = await api(method, `/v1/calls/${encodeURIComponent(call.id)}/${path}`, body);
  } catch (problem) {
    if (problem.signedOut) throw problem;
    setPartyFeedback('failed', partyProblemText(problem));
    if (problem.status >= 400 && problem.status < 500) return; // said beside the buttons; nothing else to show
    throw problem;
  }
  Object.assign(call, { state: view.state, muted: view.muted });
  state.participants = { callId: view.id, items: view.participants || [] };
  setPartyFeedback('done', done);
  renderCall();
}

function partyTarget() {
  const to = $('party-to').value.trim();
  if (!to) throw { detail: 'Type the colleague’s number, sip: URI or user:name first.' };
  return to;
}

function wireParties() {
  $('party-to').addEventListener('input', renderParties);
  $('supervise-mode').addEventListener('change', renderParties);
  $('consult').addEventListener('click', action(async () => {
    const to = partyTarget();
    await partyCommand('POST', 'consult', { to }, `Consulting ${to}: the customer is on hold.`);
  }));
  $('consult-complete').addEventListener('click', action(() => partyCommand('POST', 'consult/complete', undefined, 'Transferred: your colleague has the customer.')));
  $('consult-merge').addEventListener('click', action(() => partyCommand('POST', 'consult/merge', undefined, 'Merged: everyone is talking together.')));
  $('consult-cancel').addEventListener('click', action(() => partyCommand('POST', 'consult/cancel', undefined, 'Consultation cancelled: you are back with the customer.')));
  $('add-party').addEventListener('click', action(async () => {
    const to = partyTarget();
    await partyCommand('POST', 'participants', { to, role: 'agent' }, `Adding ${to} to the call.`);
  }));
  $('supervise').addEventListener('click', action(() => {
    const mode = $('supervise-mode').value;
    return partyCommand('POST', 'supervise', { endpoint: $('agent-endpoint').value.trim(), mode }, `Supervising: ${PARTY_MODE_LABELS[mode]}.`);
  }));
  $('supervise-switch').addEventListener('click', action(() => {
    const mode = $('supervise-mode').value;
    return partyCommand('PATCH', 'supervise', { mode }, `Now ${PARTY_MODE_LABELS[mode]}.`);
  }));
}

// ---- SMS composer -------------------------------------------------------------------------------

function composeLimit() {
  return state.me?.tenant?.maxComposeLength || 1600;
}

function renderTemplates() {
  const select = $('sms-template');
  const templates = state.me.tenant.smsTemplates || [];
  select.replaceChildren(h('option', { value: '' }, 'No template: write the message'),
    ...templates.map((text, i) => h('option', { value: String(i) }, text.length > 60 ? `${text.slice(0, 57)}…` : text)));
  select.disabled = templates.length === 0;
}

/** The `<name>` fields of a template, each once, in order. */
function templateParams(text) {
  return [...new Set([...text.matchAll(/<([^<>\s]{1,64})>/g)].map((m) => m[1]))];
}

function fillTemplate(text, params) {
  return text.replace(/<([^<>\s]{1,64})>/g, (whole, name) => (params[name] ? params[name] : whole));
}

function currentTemplate() {
  const index = $('sms-template').value;
  return index === '' ? null : state.me.tenant.smsTemplates[Number(index)];
}

function templateValues() {
  const params = {};
  for (const input of $('template-params').querySelectorAll('input[data-param]')) params[input.dataset.param] = input.value.trim();
  return params;
}

function chooseTemplate() {
  const template = currentTemplate();
  const box = $('template-params');
  $('sms-body').readOnly = Boolean(template);
  if (!template) {
    box.hidden = true;
    box.replaceChildren();
    $('sms-body').value = '';
    updateSmsCounter();
    return;
  }
  box.replaceChildren(...templateParams(template).map((name) => {
    const id = `param-${name.replace(/[^A-Za-z0-9_-]/g, '_')}`;
    return h('div', { class: 'param' }, h('label', { for: id }, name), h('input', { id, type: 'text', dataset: { param: name }, autocomplete: 'off', oninput: previewTemplate }));
  }));
  box.hidden = box.children.length === 0;
  previewTemplate();
  box.querySelector('input')?.focus();
}

function previewTemplate() {
  const template = currentTemplate();
  if (template) $('sms-body').value = fillTemplate(template, templateValues());
  updateSmsCounter();
}

function resetComposer() {
  $('sms-template').value = '';
  chooseTemplate();
}

function updateSmsCounter() {
  const body = $('sms-body').value;
  const limit = composeLimit();
  $('sms-body').maxLength = limit;
  const counter = $('sms-counter');
  const open = Boolean(state.conversation) && state.conversation.status !== 'closed';
  const template = currentTemplate();
  const missing = template ? Object.entries(templateValues()).filter(([, v]) => !v).map(([k]) => k) : [];
  if (body.length === 0) {
    counter.textContent = `Up to ${limit.toLocaleString('en')} characters`;
    counter.className = 'counter empty';
    $('sms-send').disabled = true;
    return;
  }
  const { segments, encoding } = window.exports.countSegments(body);
  const over = body.length > limit;
  counter.textContent = `${body.length.toLocaleString('en')} / ${limit.toLocaleString('en')} characters · ${segments} segment${segments === 1 ? '' : 's'} · ${encoding}`
    + (missing.length ? ` · fill in ${missing.join(', ')}` : '');
  counter.className = `counter${over ? ' over' : ''}`;
  $('sms-send').disabled = !open || over || missing.length > 0;
}

async function sendSms() {
  if ($('sms-send').disabled) return;
  const template = currentTemplate();
  const body = template ? { template: { text: template, params: templateValues() } } : { body: $('sms-body').value };
  await api('POST', `/v1/conversations/${encodeURIComponent(state.conversation.id)}/messages`, body);
  resetComposer();
  $('sms-body').value = '';
  updateSmsCounter();
  await refreshOpen();
}

// ---- wrap-up ------------------------------------------------------------------------------------

function renderDispositions() {
  const reasons = state.me.tenant.dispositions || [];
  const select = $('disposition');
  select.hidden = reasons.length === 0;
  $('disposition-text').hidden = reasons.length > 0;
  $('disposition-label').htmlFor = reasons.length ? 'disposition' : 'disposition-text';
  select.replaceChildren(h('option', { value: '', disabled: true, selected: true }, 'Choose a reason…'), ...reasons.map((r) => h('option', { value: r }, r)));
}

function chosenDisposition() {
  return (state.me.tenant.dispositions || []).length ? $('disposition').value : $('disposition-text').value.trim();
}

function renderWrapUp() {
  const c = state.conversation;
  const closed = c.status === 'closed';
  const timer = $('wrapup-timer');
  if (c.status === 'wrap-up') timer.dataset.since = c.updatedAt;
  else delete timer.dataset.since;
  timer.textContent = closed ? `· closed: ${c.disposition}` : '';
  for (const id of ['disposition', 'disposition-text', 'notes']) $(id).disabled = closed;
  $('wrapup').disabled = closed || !chosenDisposition();
  updateSmsCounter();
}

async function wrapUp() {
  const disposition = chosenDisposition();
  if (!disposition) throw { detail: 'Choose a wrap-up reason first.' };
  const body = { disposition };
  const notes = $('notes').value.trim();
  if (notes) body.notes = notes;
  await api('POST', `/v1/conversations/${encodeURIComponent(state.conversation.id)}/wrap-up`, body);
  $('notes').value = '';
  await refreshOpen();
  await loadInbox();
}

// ---- live events --------------------------------------------------------------------------------

function setConnection(stateName, text) {
  const badge = $('connection');
  badge.dataset.state = stateName;
  badge.textContent = text;
}

function connectSocket() {
  closeSocket();
  if (!state.token) return;
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const socket = new WebSocket(`${scheme}//${location.host}/v1/events?access_token=${encodeURIComponent(state.token)}`);
  state.socket = socket;
  state.socketOpened = false;
  setConnection('connecting', 'Connecting…');
  socket.addEventListener('open', () => {
    state.socketOpened = true;
    state.reconnectMs = RECONNECT_FIRST_MS;
    setConnection('live', 'Live');
    subscribeAll();
  });
  socket.addEventListener('message', (message) => handleFrame(JSON.parse(message.data)));
  socket.addEventListener('close', (closed) => { if (state.socket === socket) onSocketClosed(closed, socket); });
}

/**
 * A socket that ends unasked: a refused or expired token signs the tab out (no retry loop);
 * anything else reconnects, backing off, and resumes from the last cursor.
 */
async function onSocketClosed(closed) {
  state.socket = null;
  if (!state.token) return;
  if (closed.code === 4001 || tokenExpired(state.tokenClaims)) {
    signedOut('Your session expired. Sign in again with a new token.');
    return;
  }
  setConnection('offline', 'Reconnecting…');
  if (!state.socketOpened) {
    // Refused before it opened: a browser does not say why, the API does (a 401 signs out).
    try { await api('GET', '/v1/me'); } catch (problem) { if (problem.signedOut) return; }
  }
  const wait = closed.code === 4029 ? Math.max(state.reconnectMs, 10000) : state.reconnectMs;
  state.reconnectMs = Math.min(state.reconnectMs * 2, RECONNECT_MAX_MS);
  state.reconnectTimer = setTimeout(connectSocket, wait);
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

/** My conversations, the queue (supervisors: the whole tenant) and the open conversation, from the last cursor seen. */
function subscribeAll() {
  const topics = [`agent:${state.me.agentId}`, 'queue'];
  if (isSupervisor()) topics.push('tenant');
  if (state.conversation) topics.push(`conversation:${state.conversation.id}`);
  const frame = { op: 'subscribe', topics };
  if (state.cursor) frame.since = state.cursor;
  sendFrame(frame);
}

function subscribeConversation(id) {
  const frame = { op: 'subscribe', topics: [`conversation:${id}`] };
  if (state.cursor) frame.since = state.cursor;
  sendFrame(frame);
}

function saveCursor(cursor) {
  if (!cursor) return;
  state.cursor = cursor;
  sessionStorage.setItem(KEYS.cursor, cursor);
}

function handleFrame(frame) {
  if (frame.op === 'event') {
    handleEvent(frame.event);
    saveCursor(frame.cursor);
  } else if (frame.op === 'heartbeat') {
    saveCursor(frame.cursor);
  } else if (frame.op === 'error') {
    if (frame.status === 400 && /cursor|since/i.test(frame.detail || '') && state.cursor) {
      // A cursor the log does not know (a new database): start again from now.
      state.cursor = null;
      sessionStorage.removeItem(KEYS.cursor);
      subscribeAll();
      refreshEverything();
      return;
    }
    showError({ detail: `Live events: ${frame.detail} (${frame.status})` });
  }
}

let inboxTimer = null;
/** Several events in a row reload the inbox once. */
function scheduleInboxRefresh() {
  clearTimeout(inboxTimer);
  inboxTimer = setTimeout(() => coalesce('inbox', loadInbox).catch(showError), 100);
}

let openTimer = null;
function scheduleOpenRefresh() {
  clearTimeout(openTimer);
  openTimer = setTimeout(() => refreshOpen().catch(showError), 100);
}

function refreshEverything() {
  scheduleInboxRefresh();
  if (state.conversation) scheduleOpenRefresh();
}

/**
 * What an event changes on screen. Any event of the open conversation reloads it (its transcript
 * is the timeline); any event about conversations reloads the inbox. Types this console does not
 * know still do both.
 */
function handleEvent(event) {
  // A topic subscribed later replays from the cursor: an event already seen is not counted again.
  if (state.seenEvents.has(event.id)) return;
  state.seenEvents.add(event.id);
  if (state.seenEvents.size > 5000) state.seenEvents.delete(state.seenEvents.values().next().value);
  if (event.type === 'agent.presence') { if (isSupervisor()) scheduleInboxRefresh(); return; }
  applyRingEvent(event);
  const id = event.conversationId;
  if (!id) return;
  if (event.type === 'conversation.unattended') notify(summarizeEvent(event), id);
  const viewing = id === state.conversation?.id && document.visibilityState === 'visible';
  if (event.type === 'sms.received') {
    if (!viewing) setUnread(id, (state.unread[id] || 0) + 1);
    const from = event.data.from || 'a customer';
    if (!viewing || document.hasFocus() === false) notify(`New message from ${from}: ${previewText(event.data.body)}`, id);
  }
  if (event.type === 'conversation.assigned' && event.data.agentId === state.me.agentId && event.data.by !== state.me.agentId) {
    notify('A conversation was assigned to you.', id);
  }
  if (event.type === 'callback.assigned' && event.data.agentId === state.me.agentId) {
    notify(`A callback to ${event.data.number} is yours to make.`, id);
  }
  if (event.type === 'conversation.agent.added' && event.data.agentId === state.me.agentId && event.data.by !== state.me.agentId) {
    notify(`${event.data.by} added you to a conversation.`, id);
  }
  if (id === state.conversation?.id) {
    applyCallEvent(event);
    scheduleOpenRefresh();
  }
  scheduleInboxRefresh();
}

/** A call event changes the call panel at once (the refresh that follows brings the rest). */
function applyCallEvent(event) {
  if (!event.type.startsWith('call.') || !event.interactionId) return;
  // A party's event carries the party's state, not the call's.
  if (event.type.startsWith('call.participant.')) { applyParticipantEvent(event); return; }
  const call = (state.conversation.interactions || []).find((i) => i.id === event.interactionId);
  if (!call || typeof event.data.state !== 'string') return;
  call.state = event.data.state;
  if (typeof event.data.muted === 'boolean') call.muted = event.data.muted;
  renderCall();
}

function previewText(body) {
  const text = String(body || '').replace(/\s+/g, ' ').trim();
  return text.length > 80 ? `“${text.slice(0, 77)}…”` : `“${text}”`;
}

/**
 * The event types the gateway publishes and what each means, read from its AsyncAPI document (the
 * event catalogue): a notice for an event of a type this console does not draw says what happened.
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
  const parts = [state.eventTypes[event.type] || humanizeType(event.type)];
  if (data.from) parts.push(`from ${data.from}`);
  if (data.to) parts.push(`to ${data.to}`);
  if (data.body) parts.push(previewText(data.body));
  for (const key of ['state', 'status', 'endReason', 'disposition', 'keyword', 'errorCode', 'agentId']) {
    if (data[key] !== undefined && data[key] !== null && typeof data[key] !== 'object') parts.push(`${key} ${data[key]}`);
  }
  return parts.join(' · ');
}

// ---- wiring -------------------------------------------------------------------------------------

function wireDtmfPad() {
  for (const key of $('dtmf').querySelectorAll('button[data-digit]')) {
    key.addEventListener('click', action(() => sendDigit(key.dataset.digit)));
  }
  // Typed digits go to the keypad while it has the focus.
  $('dtmf').addEventListener('keydown', (e) => {
    if (/^[0-9*#]$/.test(e.key) && !$('dtmf').querySelector('button').disabled) {
      e.preventDefault();
      action(() => sendDigit(e.key))();
    }
  });
}

function wire() {
  $('signin').addEventListener('click', action(() => signIn($('token').value.trim())));
  $('token').addEventListener('keydown', (e) => { if (e.key === 'Enter' && !e.shiftKey) { e.preventDefault(); $('signin').click(); } });
  $('signout').addEventListener('click', () => signedOut('You signed out.'));
  $('refresh').addEventListener('click', action(loadInbox));
  $('create').addEventListener('click', action(createConversation));
  $('new-phone').addEventListener('input', () => { $('sim-from').value = $('new-phone').value.trim(); });
  $('sim-send').addEventListener('click', action(simulateInboundSms));
  $('claim').addEventListener('click', action(() => claimConversation(state.conversation.id)));
  $('release').addEventListener('click', action(releaseConversation));
  $('assign').addEventListener('click', action(assignConversation));
  $('contact-phone').addEventListener('click', action(placeCall));
  $('consent').addEventListener('change', () => state.conversation && renderCall());
  for (const command of ['answer', 'hold', 'resume', 'mute', 'unmute', 'hangup']) {
    $(command).addEventListener('click', action(() => callCommand(command)));
  }
  wireDtmfPad();
  wireParties();
  $('ring-answer').addEventListener('click', action(answerRinging));
  $('ring-open').addEventListener('click', action(() => openConversation($('ring').dataset.conversation)));
  $('enable-sound').addEventListener('click', enableSound);
  // Any click or key on the page lets a suspended ring tone sound (browsers allow audio after a gesture).
  for (const type of ['pointerdown', 'keydown']) {
    document.addEventListener(type, () => { if (ringer.context?.state === 'suspended' && state.ringing.size) enableSound(); }, true);
  }
  $('sms-body').addEventListener('input', updateSmsCounter);
  $('sms-body').addEventListener('keydown', (e) => { if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); action(sendSms)(); } });
  $('sms-template').addEventListener('change', chooseTemplate);
  $('sms-send').addEventListener('click', action(sendSms));
  $('disposition').addEventListener('change', () => renderWrapUp());
  $('disposition-text').addEventListener('input', () => renderWrapUp());
  $('wrapup').addEventListener('click', action(wrapUp));
  $('lightbox-close').addEventListener('click', () => $('lightbox').close());
  $('lightbox').addEventListener('click', (e) => { if (e.target === $('lightbox')) $('lightbox').close(); });
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible' && state.conversation && state.unread[state.conversation.id]) setUnread(state.conversation.id, 0);
  });
}

function start() {
  wire();
  setInterval(tick, 1000);
  // Without it notices still show each event's type; only the catalogue's wording goes without.
  loadEventTypes().catch(() => {});
  const saved = sessionStorage.getItem(KEYS.token);
  if (saved) action(() => signIn(saved))();
  else signedOut('');
}

start();
