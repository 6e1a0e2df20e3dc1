// Parley console. It uses only the public API, sends the token only as an Authorization header,
// and puts every server string into the page as text: nodes are built with createElement and
// textContent, never from HTML. The one exception is the <mark> of search snippets, rebuilt here
// as elements from the text around them (the page's CSP refuses HTML sinks anyway).

const TOKEN_KEY = 'parley.token';
const LIST_PAGE = 30;
const MESSAGE_PAGE = 50;
const POLL_FIRST_MS = 700;
const POLL_MAX_MS = 4000;

const $ = (id) => document.getElementById(id);

const state = {
  token: null,
  list: { q: '', kind: 'active', cursor: null, done: false, loading: false, generation: 0 },
  // The conversation on screen: null id while a new one is being written.
  view: { id: null, conversation: null, generation: 0, olderCursor: null, messages: new Map() },
  search: { q: '', cursor: null, loading: false, generation: 0 },
  sending: false,
  exporting: false,
  // A conversation the composer just created: opened without clearing the exchange on screen.
  adopt: null,
};

// ---- DOM helpers: text only -------------------------------------------------------------------

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === 'text') node.textContent = value;
    else if (name === 'class') node.className = value;
    else if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  // append() turns strings into text nodes.
  for (const child of children) if (child !== null && child !== undefined) node.append(child);
  return node;
}

function show(node, visible) {
  node.hidden = !visible;
}

function when(iso) {
  if (!iso) return '';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? '' : date.toLocaleString();
}

// Snippets are HTML-escaped by the server (&amp; &lt; &gt;) with matches in <mark>…</mark>: split
// on the two tags, decode the three entities, and put each piece in as text.
export function snippetNode(snippet) {
  const out = el('span', { class: 'snippet' });
  let marked = false;
  for (const part of String(snippet ?? '').split(/(<mark>|<\/mark>)/)) {
    if (part === '<mark>') marked = true;
    else if (part === '</mark>') marked = false;
    else if (part) {
      const text = part.replace(/&(lt|gt|amp);/g, (_, name) => ({ lt: '<', gt: '>', amp: '&' })[name]);
      out.append(marked ? el('mark', { text }) : text);
    }
  }
  return out;
}

// ---- API ----------------------------------------------------------------------------------------

class ApiError extends Error {
  constructor(status, problem) {
    const p = problem && typeof problem === 'object' ? problem : {};
    super([p.title, p.detail].filter(Boolean).join(': ') || `HTTP ${status}`);
    this.status = status;
    this.problem = p;
  }
}

function headers(extra = {}) {
  return { Authorization: `Bearer ${state.token}`, Accept: 'application/json', ...extra };
}

async function api(path, { method = 'GET', body } = {}) {
  let response;
  try {
    response = await fetch(path, {
      method,
      headers: headers(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
    });
  } catch {
    throw new ApiError(0, { title: 'Network error', detail: 'Parley could not be reached' });
  }
  const data = response.status === 204 ? null : await response.json().catch(() => null);
  if (!response.ok) {
    const error = new ApiError(response.status, data);
    if (response.status === 401) signOut(`Signed out: ${error.message}`);
    throw error;
  }
  return data;
}

function query(params) {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== null && value !== undefined && value !== '') search.set(name, String(value));
  }
  return search.toString();
}

// Server-Sent Events from a fetch body: blocks separated by a blank line, `event:` and `data:` fields.
async function* events(body) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    let end;
    while ((end = /\r?\n\r?\n/.exec(buffer))) {
      const event = parseEvent(buffer.slice(0, end.index));
      buffer = buffer.slice(end.index + end[0].length);
      if (event) yield event;
    }
  }
  const last = parseEvent(buffer);
  if (last) yield last;
}

function parseEvent(block) {
  let name = 'message';
  const data = [];
  for (const line of block.split(/\r?\n/)) {
    if (!line || line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') name = value;
    else if (field === 'data') data.push(value);
  }
  if (!data.length) return null;
  try {
    return { name, data: JSON.parse(data.join('\n')) };
  } catch {
    return { name, data: null };
  }
}

// ---- Sign-in ------------------------------------------------------------------------------------

function subjectOf(token) {
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  try {
    const json = atob(parts[1].replace(/-/g, '+').replace(/_/g, '/'));
    const bytes = Uint8Array.from(json, (c) => c.charCodeAt(0));
    const sub = JSON.parse(new TextDecoder().decode(bytes)).sub;
    return typeof sub === 'string' ? sub : null;
  } catch {
    return null;
  }
}

async function signIn(raw) {
  const token = raw.trim().replace(/^Bearer\s+/i, '');
  $('signin-error').textContent = '';
  if (!token) return;
  state.token = token;
  try {
    await api(`/api/conversations?${query({ page_size: 1 })}`);
  } catch (error) {
    state.token = null;
    $('signin-error').textContent = `That token was refused. ${error.message}`;
    return;
  }
  sessionStorage.setItem(TOKEN_KEY, token);
  $('token').value = '';
  start();
}

function signOut(reason = '') {
  sessionStorage.removeItem(TOKEN_KEY);
  state.token = null;
  state.view.generation++;
  state.list.generation++;
  show($('app'), false);
  show($('search-form'), false);
  show($('session'), false);
  show($('signin'), true);
  $('signin-error').textContent = reason;
  $('token').focus();
}

async function offerDevSignIn() {
  // The dev token endpoint exists only in dev mode; elsewhere this answers 404 and the button stays hidden.
  try {
    const response = await fetch('/dev/token?sub=alice', { method: 'HEAD', cache: 'no-store' });
    show($('dev-signin-box'), response.ok);
  } catch {
    show($('dev-signin-box'), false);
  }
}

async function devSignIn() {
  const response = await fetch('/dev/token?sub=alice', { cache: 'no-store' });
  if (!response.ok) {
    $('signin-error').textContent = 'The dev token endpoint is not available (dev mode only).';
    return;
  }
  await signIn(await response.text());
}

function start() {
  const sub = subjectOf(state.token);
  $('who').textContent = sub ? `Signed in as ${sub}` : 'Signed in with an API key';
  show($('signin'), false);
  show($('app'), true);
  show($('search-form'), true);
  show($('session'), true);
  reloadList();
  route();
}

// ---- Routing: #/c/<id>, #/new, #/search/<q>; the token never appears in the URL -----------------

function route() {
  if (!state.token) return;
  const hash = location.hash;
  if (hash.startsWith('#/c/')) {
    const id = decodeURIComponent(hash.slice(4));
    const adopted = state.adopt === id;
    state.adopt = null;
    openConversation(id, adopted ? { focus: false, keep: true } : {});
  }
  else if (hash === '#/new') openNew();
  else if (hash.startsWith('#/search/')) runSearch(decodeURIComponent(hash.slice(9)));
  else showList();
}

function setView(name) {
  $('app').dataset.view = name;
  show($('placeholder'), name === 'list');
  show($('conversation'), name === 'conversation');
  show($('search-results'), name === 'search');
}

function showList() {
  state.view.generation++;
  state.view.id = null;
  setView('list');
  markCurrent();
}

// ---- Conversation list --------------------------------------------------------------------------

function reloadList() {
  const list = state.list;
  list.generation++;
  list.cursor = null;
  list.done = false;
  list.loading = false;
  $('conversation-list').replaceChildren();
  loadMoreConversations();
}

async function loadMoreConversations() {
  const list = state.list;
  if (list.loading || list.done) return;
  const generation = list.generation;
  list.loading = true;
  $('list-status').textContent = 'Loading…';
  const params = {
    page_size: LIST_PAGE,
    q: list.q,
    archived: list.kind === 'archived' ? 'true' : null,
    pinned: list.kind === 'pinned' ? 'true' : null,
    cursor: list.cursor,
  };
  try {
    const page = await api(`/api/conversations?${query(params)}`);
    if (generation !== list.generation) return;
    for (const conversation of page.results) $('conversation-list').append(conversationItem(conversation));
    list.cursor = page.next_cursor;
    list.done = !page.next_cursor;
    const empty = !$('conversation-list').children.length;
    $('list-status').textContent = empty ? (list.q ? 'No conversation has that in its title.' : 'No conversations yet.') : '';
    markCurrent();
  } catch (error) {
    if (generation === list.generation) $('list-status').textContent = error.message;
  } finally {
    if (generation === list.generation) {
      list.loading = false;
      show($('list-more'), !list.done);
    }
  }
}

function conversationItem(c) {
  const meta = [
    c.pinned ? 'Pinned' : null,
    c.archived ? 'Archived' : null,
    `${c.message_count} message${c.message_count === 1 ? '' : 's'}`,
    when(c.last_message_at || c.updated_at),
  ].filter(Boolean).join(' · ');
  const button = el('button', { type: 'button', class: 'conversation-item', 'data-id': c.id,
    onclick: () => { location.hash = `#/c/${c.id}`; } },
    el('span', { class: 'title', text: c.title }), el('span', { class: 'meta', text: meta }));
  return el('li', {}, button);
}

function markCurrent() {
  for (const button of $('conversation-list').querySelectorAll('.conversation-item')) {
    if (button.dataset.id === state.view.id) button.setAttribute('aria-current', 'true');
    else button.removeAttribute('aria-current');
  }
}

// ---- One conversation ---------------------------------------------------------------------------

function openNew() {
  const view = state.view;
  view.generation++;
  view.id = null;
  view.conversation = null;
  view.olderCursor = null;
  view.messages.clear();
  setView('conversation');
  markCurrent();
  $('conversation-title').textContent = 'New conversation';
  show($('conversation-actions'), false);
  show($('messages-more'), false);
  $('messages').replaceChildren();
  $('conversation-error').textContent = '';
  $('message').focus();
}

// keep: leave what is on screen (the exchange just streamed) until the stored messages replace it.
async function openConversation(id, { focus = true, keep = false } = {}) {
  const view = state.view;
  const generation = ++view.generation;
  view.id = id;
  setView('conversation');
  toggleExportMenu(false);
  markCurrent();
  if (!keep) {
    $('messages').replaceChildren();
    $('conversation-error').textContent = '';
    show($('messages-more'), false);
  }
  try {
    const [conversation, page] = await Promise.all([
      api(`/api/conversations/${encodeURIComponent(id)}`),
      api(`/api/conversations/${encodeURIComponent(id)}/messages?${query({ order: 'desc', page_size: MESSAGE_PAGE })}`),
    ]);
    if (generation !== view.generation) return;
    showConversation(conversation);
    view.messages.clear();
    $('messages').replaceChildren(...page.results.reverse().map(messageItem));
    view.olderCursor = page.next_cursor;
    show($('messages-more'), Boolean(page.next_cursor));
    scrollToEnd();
    if (focus) $('conversation-title').focus();
  } catch (error) {
    if (generation !== view.generation) return;
    $('conversation-title').textContent = error.status === 404 ? 'Conversation not found' : 'Conversation';
    show($('conversation-actions'), false);
    $('messages').replaceChildren();
    $('conversation-error').textContent = error.message;
  }
}

function showConversation(conversation) {
  state.view.conversation = conversation;
  $('conversation-title').textContent = conversation.title;
  show($('conversation-actions'), true);
  $('pin').textContent = conversation.pinned ? 'Unpin' : 'Pin';
  $('pin').setAttribute('aria-pressed', String(conversation.pinned));
  $('archive').textContent = conversation.archived ? 'Unarchive' : 'Archive';
  $('archive').setAttribute('aria-pressed', String(conversation.archived));
}

async function loadEarlierMessages() {
  const view = state.view;
  const generation = view.generation;
  if (!view.olderCursor) return;
  const list = $('messages');
  const before = list.firstChild;
  try {
    const page = await api(`/api/conversations/${encodeURIComponent(view.id)}/messages?${query(
      { order: 'desc', page_size: MESSAGE_PAGE, cursor: view.olderCursor })}`);
    if (generation !== view.generation) return;
    for (const message of page.results) list.insertBefore(messageItem(message), list.firstChild);
    view.olderCursor = page.next_cursor;
    show($('messages-more'), Boolean(page.next_cursor));
    before?.scrollIntoView({ block: 'start' });
  } catch (error) {
    $('conversation-error').textContent = error.message;
  }
}

function messageItem(message) {
  const item = el('li', { class: 'message' });
  fillMessage(item, message);
  state.view.messages.set(message.id, message);
  if (message.status === 'pending') pollReply(message.conversation_id, message.id, state.view.generation);
  return item;
}

function fillMessage(item, message) {
  item.dataset.id = message.id;
  item.dataset.role = message.role;
  item.dataset.status = message.status;
  const head = el('div', { class: 'message-head' },
    el('span', { class: 'role', text: message.role }),
    message.status !== 'complete' ? el('span', { class: `badge ${message.status}`, text: message.status }) : null,
    el('time', { datetime: message.created_at, text: when(message.created_at) }));
  const parts = [head, el('div', { class: 'content', text: message.content ?? '' })];
  if (message.status === 'failed') {
    const reason = message.metadata && message.metadata.error;
    parts.push(el('p', { class: 'reply-error', text: `The reply failed${reason ? `: ${reason}` : '.'}` }));
    parts.push(el('button', { type: 'button', class: 'quiet retry', onclick: () => retry(message) }, 'Retry'));
  }
  item.replaceChildren(...parts);
}

// A pending reply is being written by a worker: ask for it until it is complete or failed.
async function pollReply(conversationId, messageId, generation) {
  let delay = POLL_FIRST_MS;
  while (generation === state.view.generation && state.token) {
    await new Promise((resolve) => setTimeout(resolve, delay));
    if (generation !== state.view.generation) return;
    let message;
    try {
      message = await api(`/api/conversations/${encodeURIComponent(conversationId)}/messages/${encodeURIComponent(messageId)}`);
    } catch (error) {
      if (error.status === 404 || error.status === 401) return;
      delay = Math.min(delay * 2, POLL_MAX_MS);
      continue;
    }
    if (generation !== state.view.generation) return;
    if (message.status !== 'pending') {
      const item = $('messages').querySelector(`li[data-id="${CSS.escape(messageId)}"]`);
      if (item) fillMessage(item, message);
      state.view.messages.set(message.id, message);
      return;
    }
    delay = Math.min(Math.round(delay * 1.5), POLL_MAX_MS);
  }
}

// Retry sends the user message that the failed reply answered once more.
async function retry(failed) {
  let original = failed.parent_id && state.view.messages.get(failed.parent_id);
  if (!original && failed.parent_id) {
    try {
      original = await api(`/api/conversations/${encodeURIComponent(failed.conversation_id)}/messages/${encodeURIComponent(failed.parent_id)}`);
    } catch (error) {
      $('conversation-error').textContent = error.message;
      return;
    }
  }
  if (!original || !original.content) {
    $('conversation-error').textContent = 'The message this reply answered is gone; write it again.';
    return;
  }
  send(original.content);
}

function scrollToEnd() {
  const list = $('messages');
  list.scrollTop = list.scrollHeight;
}

// ---- Sending: POST /api/chat as an event stream, deltas shown as they arrive -------------------

async function send(text) {
  if (state.sending || !text.trim()) return;
  const view = state.view;
  const generation = view.generation;
  const conversationId = view.id;
  state.sending = true;
  $('send').disabled = true;
  $('conversation-error').textContent = '';
  const mine = el('li', { class: 'message', 'data-role': 'user', 'data-status': 'complete' },
    el('div', { class: 'message-head' }, el('span', { class: 'role', text: 'user' })),
    el('div', { class: 'content', text: text }));
  const reply = el('li', { class: 'message', 'data-role': 'assistant', 'data-status': 'pending', 'data-streaming': 'true' },
    el('div', { class: 'message-head' }, el('span', { class: 'role', text: 'assistant' }),
      el('span', { class: 'badge pending', text: 'writing' })),
    el('div', { class: 'content' }));
  $('messages').append(mine, reply);
  scrollToEnd();
  const content = reply.querySelector('.content');
  let deltas = 0;
  let finished = null;
  let failure = null;
  try {
    const response = await fetch('/api/chat', {
      method: 'POST',
      headers: headers({ 'Content-Type': 'application/json', Accept: 'text/event-stream' }),
      body: JSON.stringify(conversationId ? { message: text, conversation_id: conversationId } : { message: text }),
      cache: 'no-store',
    });
    if (!response.ok) {
      const problem = await response.json().catch(() => null);
      failure = new ApiError(response.status, problem);
      if (response.status === 401) signOut(`Signed out: ${failure.message}`);
    } else {
      for await (const event of events(response.body)) {
        if (event.name === 'delta' && event.data && typeof event.data.content === 'string') {
          deltas++;
          reply.dataset.deltas = String(deltas);
          if (generation === view.generation) {
            content.append(event.data.content);
            scrollToEnd();
          }
        } else if (event.name === 'done') {
          finished = event.data || {};
        } else if (event.name === 'error') {
          failure = new ApiError(event.data?.status ?? 502, event.data);
        }
      }
      if (!finished && !failure) failure = new ApiError(0, { title: 'The stream ended before the answer was complete' });
    }
  } catch {
    failure = new ApiError(0, { title: 'Network error', detail: 'the answer stream was interrupted' });
  } finally {
    state.sending = false;
    $('send').disabled = false;
  }
  if (failure && generation === view.generation) $('conversation-error').textContent = failure.message;
  if (!state.token) return;
  reloadList();
  if (generation !== view.generation) return;
  // What the server stored is what is shown from now on (ids, status, a failed reply's error).
  const storedId = finished?.conversation_id ?? conversationId;
  if (storedId && storedId !== conversationId) {
    state.adopt = storedId;
    location.hash = `#/c/${storedId}`;
    $('message').focus();
  } else if (storedId) {
    await openConversation(storedId, { focus: false, keep: true });
    if (failure) $('conversation-error').textContent = failure.message;
    $('message').focus();
  }
}

// ---- Conversation actions -----------------------------------------------------------------------

function ask(text, { input = null, ok = 'OK' } = {}) {
  const dialog = $('dialog');
  $('dialog-text').textContent = text;
  $('dialog-ok').textContent = ok;
  const field = $('dialog-input');
  show(field, input !== null);
  show($('dialog-input-label'), input !== null);
  field.value = input ?? '';
  dialog.returnValue = '';
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => {
      resolve(dialog.returnValue === 'ok' ? (input !== null ? field.value : true) : null);
    }, { once: true });
    dialog.showModal();
    if (input !== null) field.select();
  });
}

async function change(patch) {
  const id = state.view.id;
  try {
    showConversation(await api(`/api/conversations/${encodeURIComponent(id)}`, { method: 'PATCH', body: patch }));
    reloadList();
  } catch (error) {
    $('conversation-error').textContent = error.message;
  }
}

async function rename() {
  const title = await ask('New title for this conversation', { input: state.view.conversation.title, ok: 'Rename' });
  if (title !== null) change({ title });
}

async function remove() {
  const c = state.view.conversation;
  const sure = await ask(`Delete “${c.title}” and its ${c.message_count} messages? This cannot be undone.`, { ok: 'Delete' });
  if (!sure) return;
  try {
    await api(`/api/conversations/${encodeURIComponent(c.id)}`, { method: 'DELETE' });
    location.hash = '';
    reloadList();
    $('new-conversation').focus();
  } catch (error) {
    $('conversation-error').textContent = error.message;
  }
}

// ---- Export: the file comes through fetch (the token goes only in a header, never in a URL) ------

// How long an export's object URL outlives the click: the download must have read the blob first.
const EXPORT_URL_LIFETIME_MS = 30000;

function toggleExportMenu(open) {
  show($('export-menu'), open);
  $('export').setAttribute('aria-expanded', String(open));
  if (open) $('export-menu').querySelector('button').focus();
}

function attachmentName(response) {
  const match = /filename="([^"]+)"/.exec(response.headers.get('Content-Disposition') ?? '');
  return match ? match[1] : null;
}

async function exportConversation(format) {
  const id = state.view.id;
  toggleExportMenu(false);
  $('export').focus();
  // Not disabled while it runs: a disabled button would drop the keyboard focus just put on it.
  if (state.exporting) return;
  state.exporting = true;
  $('export').setAttribute('aria-busy', 'true');
  $('conversation-error').textContent = '';
  try {
    let response;
    try {
      response = await fetch(`/api/conversations/${encodeURIComponent(id)}/export?${query({ format })}`, {
        headers: headers({ Accept: format === 'markdown' ? 'text/markdown' : 'application/json' }),
        cache: 'no-store',
      });
    } catch {
      throw new ApiError(0, { title: 'Network error', detail: 'the export could not be fetched' });
    }
    if (!response.ok) {
      const error = new ApiError(response.status, await response.json().catch(() => null));
      if (response.status === 401) signOut(`Signed out: ${error.message}`);
      throw error;
    }
    const url = URL.createObjectURL(await response.blob());
    const name = attachmentName(response) ?? `conversation-${id}.${format === 'markdown' ? 'md' : 'json'}`;
    const link = el('a', { href: url, download: name, hidden: true });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), EXPORT_URL_LIFETIME_MS);
  } catch (error) {
    $('conversation-error').textContent = `Export failed. ${error.message}`;
  } finally {
    state.exporting = false;
    $('export').removeAttribute('aria-busy');
  }
}

// ---- Search across all messages -----------------------------------------------------------------

async function runSearch(q) {
  const search = state.search;
  state.view.generation++;
  state.view.id = null;
  markCurrent();
  search.q = q;
  search.cursor = null;
  search.generation++;
  $('search-q').value = q;
  $('search-title').textContent = `Messages matching “${q}”`;
  $('hits').replaceChildren();
  setView('search');
  $('search-title').focus();
  await loadMoreHits();
}

async function loadMoreHits() {
  const search = state.search;
  const generation = search.generation;
  search.loading = true;
  $('search-status').textContent = 'Searching…';
  try {
    const page = await api(`/api/search?${query({ q: search.q, page_size: 20, cursor: search.cursor })}`);
    if (generation !== search.generation) return;
    for (const hit of page.results) $('hits').append(hitItem(hit));
    search.cursor = page.next_cursor;
    show($('hits-more'), Boolean(page.next_cursor));
    $('search-status').textContent = $('hits').children.length ? '' : 'No message matches.';
  } catch (error) {
    if (generation === search.generation) $('search-status').textContent = error.message;
  } finally {
    search.loading = false;
  }
}

function hitItem(hit) {
  const m = hit.message;
  const open = el('button', { type: 'button', class: 'hit-open',
    onclick: () => { location.hash = `#/c/${hit.conversation_id}`; } },
    el('span', { class: 'title', text: hit.conversation_title }),
    el('span', { class: 'meta', text: `${m.role} · ${when(m.created_at)}` }),
    snippetNode(hit.snippet));
  return el('li', { class: 'hit' }, open);
}

// ---- Wiring -------------------------------------------------------------------------------------

function debounce(fn, ms) {
  let timer;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}

function wire() {
  $('token-form').addEventListener('submit', (e) => { e.preventDefault(); signIn($('token').value); });
  $('dev-signin').addEventListener('click', devSignIn);
  $('dialog-cancel').addEventListener('click', () => $('dialog').close('cancel'));
  $('sign-out').addEventListener('click', () => { location.hash = ''; signOut(); });
  $('new-conversation').addEventListener('click', () => {
    if (location.hash === '#/new') openNew();
    else location.hash = '#/new';
  });
  $('filter-q').addEventListener('input', debounce(() => {
    state.list.q = $('filter-q').value.trim();
    reloadList();
  }, 250));
  $('filter-kind').addEventListener('change', () => {
    state.list.kind = $('filter-kind').value;
    reloadList();
  });
  $('list-more').addEventListener('click', loadMoreConversations);
  // Infinite scroll: the "Load more" button loads by itself when it scrolls into view.
  new IntersectionObserver((entries) => {
    if (entries.some((entry) => entry.isIntersecting)) loadMoreConversations();
  }, { root: $('sidebar') }).observe($('list-more'));
  $('back').addEventListener('click', () => { location.hash = ''; });
  $('search-back').addEventListener('click', () => { location.hash = ''; });
  $('messages-more').addEventListener('click', loadEarlierMessages);
  $('hits-more').addEventListener('click', loadMoreHits);
  $('rename').addEventListener('click', rename);
  $('pin').addEventListener('click', () => change({ pinned: !state.view.conversation.pinned }));
  $('archive').addEventListener('click', () => change({ archived: !state.view.conversation.archived }));
  $('delete').addEventListener('click', remove);
  $('export').addEventListener('click', () => toggleExportMenu($('export-menu').hidden));
  for (const choice of $('export-menu').querySelectorAll('button')) {
    choice.addEventListener('click', () => exportConversation(choice.dataset.format));
  }
  // The menu closes with Escape (focus back on Export) and when focus or a click goes elsewhere.
  $('export-box').addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && !$('export-menu').hidden) {
      e.preventDefault();
      toggleExportMenu(false);
      $('export').focus();
    }
  });
  $('export-box').addEventListener('focusout', (e) => {
    if (e.relatedTarget && !$('export-box').contains(e.relatedTarget)) toggleExportMenu(false);
  });
  document.addEventListener('click', (e) => {
    if (!$('export-box').contains(e.target)) toggleExportMenu(false);
  });
  $('composer').addEventListener('submit', (e) => {
    e.preventDefault();
    const text = $('message').value;
    if (!text.trim() || state.sending) return;
    $('message').value = '';
    send(text);
  });
  $('message').addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      $('composer').requestSubmit();
    }
  });
  $('search-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const q = $('search-q').value.trim();
    if (!q) return;
    const target = `#/search/${encodeURIComponent(q)}`;
    if (location.hash === target) runSearch(q);
    else location.hash = target;
  });
  window.addEventListener('hashchange', route);
}

wire();
state.token = sessionStorage.getItem(TOKEN_KEY);
offerDevSignIn();
if (state.token) start();
else signOut();
