// hookbridge console: vanilla JavaScript, no dependencies. Everything that
// comes from the server is put into the page with textContent, never as
// HTML.
'use strict';

(() => {
  // The outcomes the Sources view has a column for; the rest are "other".
  const COLUMNS = ['accepted', 'duplicate', 'bad_signature', 'stale_timestamp', 'malformed',
    'too_large', 'rate_limited'];
  const LABELS = {
    accepted: 'accepted', duplicate: 'duplicate', bad_signature: 'bad signature',
    stale_timestamp: 'stale', malformed: 'malformed', too_large: 'too large',
    rate_limited: 'rate limited', conflict: 'conflict', unknown_source: 'unknown source',
    bad_token: 'bad token', bad_request: 'bad request', bad_method: 'bad method',
    unavailable: 'unavailable', too_many_connections: 'too many connections',
    timeout: 'timeout', tls_handshake: 'TLS handshake', answered: 'check answered',
  };
  const MAX_ROWS = 500;
  const POLL_MS = 3000;

  const $ = (id) => document.getElementById(id);
  const state = {
    view: 'deliveries',
    rows: new Map(),  // delivery id -> <tr>
    newest: 0,
    selected: 0,
    stream: null,
    generation: 0,  // bumps when the filter changes, to ignore stale answers
    sourcesLoaded: false,
  };

  // ---- helpers -----------------------------------------------------------

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === undefined || value === null) continue;
      if (key === 'class') node.className = value;
      else if (key === 'text') node.textContent = String(value);
      else node.setAttribute(key, String(value));
    }
    for (const child of children) {
      if (child === null || child === undefined) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function showError(message) {
    $('error').textContent = message || '';
  }

  // ---- the console token ---------------------------------------------------
  // With admin.console_token_sha256 the API answers 401 without
  // "Authorization: Bearer <token>". The token is asked for once per tab and
  // kept in sessionStorage (gone with the tab); every request, the live tail
  // included, sends it in that header, never in a URL or a cookie.

  const TOKEN_KEY = 'hookbridge-console-token';
  let login = null;  // while the form is shown: resolves once a token is entered
  let pageToken = '';  // where sessionStorage is unavailable

  function storedToken() {
    try {
      return sessionStorage.getItem(TOKEN_KEY) || pageToken;
    } catch (e) {
      return pageToken;
    }
  }

  function storeToken(token) {
    pageToken = token;
    try {
      if (token) sessionStorage.setItem(TOKEN_KEY, token);
      else sessionStorage.removeItem(TOKEN_KEY);
    } catch (e) {
      // kept in pageToken only
    }
  }

  function withToken(headers) {
    const token = storedToken();
    return token ? { ...headers, Authorization: `Bearer ${token}` } : headers;
  }

  // Shows the token form (once, however many requests wait) and resolves
  // when a token was entered.
  function askForToken(message) {
    if (!login) {
      login = new Promise((resolve) => {
        $('login-form').onsubmit = (e) => {
          e.preventDefault();
          const token = $('login-token').value.trim();
          if (!token) return;
          storeToken(token);
          $('login-token').value = '';
          $('login').hidden = true;
          $('main').hidden = false;
          $('logout').hidden = false;
          login = null;
          resolve();
        };
      });
      $('login-message').textContent = message;
      $('main').hidden = true;
      $('logout').hidden = true;
      $('login').hidden = false;
      setLive('closed', 'token needed');
      $('login-token').focus();
    }
    return login;
  }

  // fetch() with the token; a 401 asks for a token and tries again with it.
  async function apiFetch(url, headers, signal) {
    for (;;) {
      const response = await fetch(url, { cache: 'no-store', headers: withToken(headers), signal });
      if (response.status !== 401) return response;
      const rejected = storedToken();
      if (rejected) storeToken('');
      await askForToken(rejected ? 'That token was not accepted.' : '');
    }
  }

  async function getJson(url) {
    const response = await apiFetch(url, { Accept: 'application/json' });
    let body = null;
    try {
      body = await response.json();
    } catch (e) {
      body = null;
    }
    if (!response.ok) {
      throw new Error(`${url}: ${response.status}${body && body.error ? ': ' + body.error : ''}`);
    }
    return body;
  }

  function relative(ms) {
    const seconds = Math.round((Date.now() - ms) / 1000);
    if (seconds < 2) return 'just now';
    if (seconds < 60) return `${seconds} s ago`;
    if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
    if (seconds < 86400) return `${Math.floor(seconds / 3600)} h ago`;
    return `${Math.floor(seconds / 86400)} d ago`;
  }

  function timeCell(iso, ms) {
    return el('td', { class: 'time', title: iso },
      el('span', { class: 'rel', 'data-ms': ms, text: relative(ms) }),
      el('span', { class: 'abs', text: `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC` }));
  }

  function badge(outcome) {
    return el('span', { class: `badge ${outcome}`, 'data-testid': 'outcome-badge', text: LABELS[outcome] || outcome });
  }

  function formatBytes(n) {
    if (n < 1024) return `${n} B`;
    if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
    return `${(n / 1024 / 1024).toFixed(1)} MiB`;
  }

  // ---- filters -----------------------------------------------------------

  function filterParams() {
    const params = new URLSearchParams();
    const source = $('filter-source').value;
    const outcome = $('filter-outcome').value;
    const type = $('filter-type').value.trim();
    if (source) params.set('source', source);
    if (outcome) params.set('outcome', outcome);
    if (type) params.set('type', type);
    return params;
  }

  function fillSelect(select, values, labels) {
    const current = select.value;
    while (select.options.length > 1) select.remove(1);
    for (const value of values) {
      select.append(el('option', { value, text: labels ? (labels[value] || value) : value }));
    }
    select.value = values.includes(current) ? current : '';
  }

  // ---- deliveries --------------------------------------------------------

  function deliveryRow(d, fresh) {
    const row = el('tr', {
      class: fresh ? 'clickable fresh' : 'clickable',
      'data-testid': 'delivery-row',
      'data-id': d.id,
      'data-outcome': d.outcome,
      'data-source': d.source,
      'data-type': d.type,
    },
    timeCell(d.received_at, d.received_at_ms),
    el('td', { text: d.source || '—', class: d.source ? '' : 'muted' }),
    el('td', {}, badge(d.outcome)),
    el('td', { class: 'num', text: d.status || '—', title: d.status ? null : 'closed without an answer' }),
    el('td', { class: 'mono', 'data-testid': 'delivery-type', text: d.type || '' }),
    el('td', { class: 'num', text: d.sequence || '' }),
    el('td', { class: 'reason-cell', 'data-testid': 'delivery-reason', title: d.reason || null, text: d.reason || '' }));
    if (d.id === state.selected) row.classList.add('selected');
    row.addEventListener('click', () => showDetail(d.id));
    return row;
  }

  function updateEmpty() {
    $('deliveries-empty').hidden = state.rows.size > 0;
  }

  // Adds a delivery from the live tail (newest first); ignores ones shown.
  function addLive(d) {
    if (state.rows.has(d.id)) return;
    const row = deliveryRow(d, true);
    const body = $('deliveries');
    // Ids increase: find the first row with a smaller id.
    let before = body.firstChild;
    while (before && Number(before.dataset.id) > d.id) before = before.nextSibling;
    body.insertBefore(row, before);
    state.rows.set(d.id, row);
    state.newest = Math.max(state.newest, d.id);
    while (state.rows.size > MAX_ROWS) {
      const last = body.lastChild;
      state.rows.delete(Number(last.dataset.id));
      last.remove();
    }
    updateEmpty();
  }

  async function loadDeliveries() {
    const generation = ++state.generation;
    closeStream();
    const params = filterParams();
    params.set('limit', '200');
    let list;
    try {
      list = await getJson(`/api/deliveries?${params}`);
    } catch (e) {
      showError(e.message);
      setLive('closed', 'error');
      return;
    }
    if (generation !== state.generation) return;
    showError('');
    const body = $('deliveries');
    body.replaceChildren();
    state.rows.clear();
    state.newest = 0;
    for (const d of list.deliveries) {
      const row = deliveryRow(d, false);
      body.append(row);
      state.rows.set(d.id, row);
      state.newest = Math.max(state.newest, d.id);
    }
    updateEmpty();
    showRingStats(list);
    openStream();
  }

  function showRingStats(list) {
    $('ring-stats').textContent =
      `${list.retained} of at most ${list.max_deliveries} kept (${formatBytes(list.retained_bytes)} of ` +
      `${formatBytes(list.max_bytes)})` + (list.evicted ? `, ${list.evicted} older evicted` : '');
  }

  // ---- live tail ---------------------------------------------------------

  function setLive(stateName, text) {
    const live = document.querySelector('[data-testid="live-status"]');
    live.dataset.state = stateName;
    live.querySelector('.live-text').textContent = text || stateName;
  }

  function closeStream() {
    if (state.stream) {
      state.stream.controller.abort();
      state.stream = null;
    }
  }

  function openStream() {
    closeStream();
    if ($('pause').checked) {
      setLive('paused', 'paused');
      return;
    }
    const params = filterParams();
    // Everything after the newest row shown: nothing recorded between the
    // listing and the stream is missed.
    params.set('after', String(state.newest));
    const stream = { controller: new AbortController() };
    state.stream = stream;
    setLive('connecting', 'connecting');
    readStream(stream, `/api/deliveries/stream?${params}`);
  }

  // One Server-Sent Event: its fields (comment lines dropped, data lines
  // joined with "\n").
  function parseEvent(block) {
    const message = { event: 'message', data: [] };
    for (const line of block.split('\n')) {
      if (!line || line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      let value = colon < 0 ? '' : line.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      if (field === 'data') message.data.push(value);
      else if (field === 'event') message.event = value;
      else if (field === 'id') message.id = value;
      else if (field === 'retry' && /^[0-9]+$/.test(value)) message.retry = Number(value);
    }
    message.data = message.data.join('\n');
    return message;
  }

  // The live tail: the text/event-stream of /api/deliveries/stream read
  // with fetch, which (unlike EventSource) sends the token in a header.
  // Like EventSource it reconnects after the server's `retry` with the last
  // id seen as Last-Event-ID, and gives up on an answer other than 200.
  async function readStream(stream, url) {
    const current = () => state.stream === stream;
    let lastId = '';
    let retryMs = 3000;
    while (current()) {
      try {
        const headers = { Accept: 'text/event-stream' };
        if (lastId) headers['Last-Event-ID'] = lastId;
        const response = await apiFetch(url, headers, stream.controller.signal);
        if (!current()) return;
        if (!response.ok || !response.body) {
          setLive('closed', 'disconnected');
          showError(`live tail: ${response.status}`);
          return;
        }
        setLive('open', 'live');
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          let end;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const message = parseEvent(buffer.slice(0, end));
            buffer = buffer.slice(end + 2);
            if (message.retry) retryMs = message.retry;
            if (message.id !== undefined) lastId = message.id;
            if (message.event !== 'delivery' || !current()) continue;
            try {
              addLive(JSON.parse(message.data));
            } catch (e) {
              showError(`live tail: ${e.message}`);
            }
          }
        }
      } catch (e) {
        // A network error, or closeStream aborting the request.
      }
      if (!current()) return;
      setLive('connecting', 'reconnecting');
      await new Promise((resolve) => setTimeout(resolve, retryMs));
    }
  }

  // ---- detail ------------------------------------------------------------

  function fact(list, name, value, testid) {
    list.append(el('dt', { text: name }), el('dd', { 'data-testid': testid, text: value }));
  }

  async function showDetail(id) {
    state.selected = id;
    for (const [rowId, row] of state.rows) row.classList.toggle('selected', rowId === id);
    let d;
    try {
      d = await getJson(`/api/deliveries/${id}`);
    } catch (e) {
      showError(e.message);
      return;
    }
    if (state.selected !== id) return;
    showError('');
    const pane = $('detail');
    pane.dataset.id = String(d.id);
    pane.dataset.outcome = d.outcome;
    $('detail-title').replaceChildren(`Delivery #${d.id} `, badge(d.outcome));
    const facts = $('detail-facts');
    facts.replaceChildren();
    fact(facts, 'Received', `${d.received_at} (${relative(d.received_at_ms)})`, 'detail-received');
    fact(facts, 'Source', d.source || '—', 'detail-source');
    fact(facts, 'Request', `${d.method} ${d.path}`.trim(), 'detail-request');
    fact(facts, 'Status', d.status ? String(d.status) : 'closed without an answer', 'detail-status');
    fact(facts, 'Outcome', d.outcome, 'detail-outcome');
    if (d.event_id) fact(facts, 'Event id', d.event_id, 'detail-event-id');
    if (d.type) fact(facts, 'Type', d.type, 'detail-type');
    if (d.sequence) fact(facts, 'Sequence', String(d.sequence), 'detail-sequence');
    fact(facts, 'Handled in', `${Number(d.duration_ms).toFixed(2)} ms`, 'detail-duration');
    $('detail-reason').textContent = d.reason || '—';
    // A refused signature that another form of the URL would have matched.
    $('detail-diagnosis').textContent = d.diagnosis || '';
    $('detail-diagnosis').hidden = !d.diagnosis;
    const event = $('detail-event');
    if (d.event) {
      event.textContent = JSON.stringify(d.event, null, 2);
      event.hidden = false;
      $('detail-note').textContent = '';
    } else {
      event.textContent = '';
      event.hidden = true;
      $('detail-note').textContent = d.event_note || '';
    }
    const headers = $('detail-headers');
    headers.replaceChildren();
    for (const [name, value] of d.headers) {
      headers.append(el('tr', { 'data-testid': 'detail-header', 'data-name': name.toLowerCase() },
        el('td', { text: name }),
        el('td', { class: value === '[redacted]' ? 'redacted' : '', text: value })));
    }
    if (d.headers.length === 0) headers.append(el('tr', {}, el('td', { text: '(not read)' }), el('td')));
    $('detail-body').textContent = d.body_preview || (d.body_bytes ? '' : '(empty)');
    $('detail-body-size').textContent = d.body_truncated
      ? `(${formatBytes(d.body_bytes)}; the first ${formatBytes(new TextEncoder().encode(d.body_preview).length)} shown)`
      : `(${formatBytes(d.body_bytes)})`;
    pane.hidden = false;
  }

  function closeDetail() {
    state.selected = 0;
    $('detail').hidden = true;
    for (const row of state.rows.values()) row.classList.remove('selected');
  }

  // ---- sources -----------------------------------------------------------

  async function loadSources() {
    let data;
    try {
      data = await getJson('/api/sources');
    } catch (e) {
      showError(e.message);
      return;
    }
    // A config reload may add or remove sources: refill the choice when
    // the list changed (the current choice is kept if it still exists).
    const names = data.sources.map((s) => s.name);
    if (names.join('\n') !== state.sourceNames) {
      state.sourceNames = names.join('\n');
      fillSelect($('filter-source'), names);
    }
    if (!state.sourcesLoaded) {
      state.sourcesLoaded = true;
      fillSelect($('filter-outcome'), data.outcomes, LABELS);
      const head = $('sources-head');
      head.replaceChildren(el('th', { text: 'Source' }), el('th', { text: 'Provider' }),
        el('th', { text: 'Webhook URL path' }));
      for (const outcome of COLUMNS) head.append(el('th', { class: 'num', text: LABELS[outcome] }));
      head.append(el('th', { class: 'num', text: 'other' }));
    }
    $('started').textContent = `started ${relative(data.started_at_ms)}, ${data.started_at}`;
    const config = data.config;
    const status = $('config-status');
    status.dataset.result = config.last_reload;
    let text = `Config generation ${config.generation}`;
    if (config.last_reload === 'initial') {
      text += ', as started (no reload yet).';
    } else {
      text += `; last reload ${config.last_reload} ${relative(config.last_reload_at_ms)}`;
      text += config.last_reload_error ? `: ${config.last_reload_error}` : '.';
    }
    if (config.needs_restart.length) {
      text += ` Changed but kept until a restart: ${config.needs_restart.join(', ')}.`;
    }
    status.textContent = text;
    status.classList.toggle('bad', config.last_reload === 'rejected');
    const body = $('sources');
    body.replaceChildren();
    for (const s of data.sources) {
      const row = el('tr', { 'data-testid': 'source-row', 'data-source': s.name },
        el('td', { text: s.name }),
        el('td', { class: 'muted', text: s.provider }),
        el('td', { class: 'mono', text: s.path }));
      const countCell = (outcome, minute, total) => el('td', {
        class: `num count${total ? '' : ' zero'}`,
        'data-outcome': outcome,
        'data-minute': minute,
        'data-total': total,
        title: `${minute} in the last minute, ${total} since start`,
      }, el('span', { class: 'minute', text: minute }), ' / ', el('span', { text: total }));
      for (const outcome of COLUMNS) {
        row.append(countCell(outcome, s.last_minute[outcome] || 0, s.total[outcome] || 0));
      }
      let otherMinute = 0;
      let otherTotal = 0;
      for (const outcome of data.outcomes) {
        if (COLUMNS.includes(outcome)) continue;
        otherMinute += s.last_minute[outcome] || 0;
        otherTotal += s.total[outcome] || 0;
      }
      row.append(countCell('other', otherMinute, otherTotal));
      body.append(row);
    }
  }

  // ---- subscribers -------------------------------------------------------

  function filterText(s) {
    const parts = [];
    if (s.sources.length) parts.push(`sources: ${s.sources.join(', ')}`);
    if (s.types.length) parts.push(`types: ${s.types.join(', ')}`);
    if (s.environment_ids.length) parts.push(`environments: ${s.environment_ids.join(', ')}`);
    if (s.subjects.length) parts.push(`subjects: ${s.subjects.join(', ')}`);
    return parts.length ? parts.join('; ') : 'everything';
  }

  async function loadSubscribers() {
    let data;
    try {
      data = await getJson('/api/subscribers');
    } catch (e) {
      showError(e.message);
      return;
    }
    $('last-sequence').textContent = `Last sequence in the log: ${data.last_sequence}.` +
      (data.count > data.subscribers.length ? ` Showing ${data.subscribers.length} of ${data.count}.` : '');
    const body = $('subscribers');
    body.replaceChildren();
    for (const s of data.subscribers) {
      body.append(el('tr', { 'data-testid': 'subscriber-row', 'data-token': s.token, 'data-rpc': s.rpc },
        el('td', { class: 'mono', 'data-testid': 'subscriber-peer', text: s.peer }),
        el('td', { text: s.token || '(auth off)' }),
        el('td', { text: s.rpc }),
        el('td', { class: 'mono', 'data-testid': 'subscriber-filter', text: filterText(s) }),
        timeCell(s.connected_at, s.connected_at_ms),
        el('td', { class: 'num', 'data-testid': 'subscriber-position', text: s.position }),
        el('td', { class: 'num', 'data-testid': 'subscriber-lag-events', text: s.lag_events }),
        el('td', { class: 'num', 'data-testid': 'subscriber-lag-seconds', text: Number(s.lag_seconds).toFixed(1) })));
    }
    $('subscribers-empty').hidden = data.subscribers.length > 0;
  }

  // ---- consumers ---------------------------------------------------------

  function formatAge(seconds) {
    if (!seconds) return '–';
    if (seconds < 120) return `${seconds.toFixed(0)} s`;
    if (seconds < 7200) return `${(seconds / 60).toFixed(0)} min`;
    return `${(seconds / 3600).toFixed(1)} h`;
  }

  function deadLetterTable(c) {
    const body = el('tbody');
    for (const d of c.dead_letters) {
      body.append(el('tr', { 'data-testid': 'dead-letter-row', 'data-sequence': d.sequence },
        el('td', { class: 'num', text: d.sequence }),
        el('td', { text: d.type || (d.retained ? '' : '(no longer in the log)') }),
        el('td', { class: 'mono', text: d.subject }),
        el('td', { class: 'num', text: d.deliveries }),
        el('td', { class: 'num', text: d.deadline_expiries }),
        el('td', { class: 'num', text: d.negative_acknowledgements }),
        el('td', { 'data-testid': 'dead-letter-reason', text: d.last_reason }),
        timeCell(d.dead_at, d.dead_at_ms)));
    }
    const shown = c.dead_letters.length < c.dead_letter_count
      ? ` (the oldest ${c.dead_letters.length} of ${c.dead_letter_count})` : '';
    return el('section', { class: 'dead', 'data-testid': 'dead-letters-of', 'data-consumer': c.name },
      el('h3', { text: `Dead letters of ${c.name}${shown}` }),
      el('div', { class: 'table-wrap' },
        el('table', { class: 'grid' },
          el('thead', {}, el('tr', {}, ...['Seq', 'Type', 'Subject', 'Deliveries', 'Deadline expiries',
            'Nacks', 'Last reason', 'Dead since'].map((h) => el('th', { text: h })))),
          body)));
  }

  async function loadConsumers() {
    let data;
    try {
      data = await getJson('/api/consumers');
    } catch (e) {
      showError(e.message);
      return;
    }
    $('consumers-last-sequence').textContent = data.available
      ? `Last sequence in the log: ${data.last_sequence}.`
      : 'This log backend keeps no durable consumers.';
    const body = $('consumers');
    body.replaceChildren();
    const dead = $('dead-letters');
    dead.replaceChildren();
    for (const c of data.consumers) {
      const members = c.members.map((m) => `${m.name} (${m.outstanding})`).join(', ');
      body.append(el('tr', { 'data-testid': 'consumer-row', 'data-consumer': c.name },
        el('td', { class: 'mono' }, c.name, c.declared ? el('span', { class: 'hint', text: ' declared' }) : null),
        el('td', { class: 'mono', 'data-testid': 'consumer-filter', text: filterText(c) }),
        el('td', { text: c.ordering === 'per_subject' ? 'per subject' : 'none' }),
        el('td', { class: 'num', 'data-testid': 'consumer-ack-floor', text: c.ack_floor }),
        el('td', { class: 'num', 'data-testid': 'consumer-pending', text: c.pending }),
        el('td', { class: 'num', 'data-testid': 'consumer-outstanding', text: c.outstanding }),
        el('td', { class: 'num', 'data-testid': 'consumer-oldest', text: formatAge(c.oldest_pending_age_seconds) }),
        el('td', { 'data-testid': 'consumer-members', text: members || 'none connected' }),
        el('td', { class: 'num', text: c.redeliveries }),
        el('td', { class: 'num', 'data-testid': 'consumer-dead-letters', text: c.dead_letter_count }),
        el('td', { class: 'num', text: c.lost_to_retention })));
      if (c.dead_letters.length) dead.append(deadLetterTable(c));
    }
    $('consumers-empty').hidden = data.consumers.length > 0;
  }

  // ---- views -------------------------------------------------------------

  const VIEWS = ['deliveries', 'sources', 'subscribers', 'consumers'];

  function showView(view) {
    state.view = view;
    for (const button of document.querySelectorAll('.tabs button')) {
      button.setAttribute('aria-selected', String(button.dataset.view === view));
    }
    for (const name of VIEWS) {
      $(`view-${name}`).hidden = name !== view;
    }
    if (location.hash !== `#${view}`) history.replaceState(null, '', `#${view}`);
    refreshView();
  }

  async function refreshRingStats() {
    try {
      showRingStats(await getJson('/api/deliveries?limit=1'));
    } catch (e) {
      showError(e.message);
    }
  }

  function refreshView() {
    if (login) return;  // waiting for the token
    if (state.view === 'sources') loadSources();
    else if (state.view === 'subscribers') loadSubscribers();
    else if (state.view === 'consumers') loadConsumers();
    else refreshRingStats();
  }

  function tick() {
    for (const node of document.querySelectorAll('.rel[data-ms]')) {
      node.textContent = relative(Number(node.dataset.ms));
    }
  }

  async function init() {
    for (const button of document.querySelectorAll('.tabs button')) {
      button.addEventListener('click', () => showView(button.dataset.view));
    }
    $('filter-source').addEventListener('change', loadDeliveries);
    $('filter-outcome').addEventListener('change', loadDeliveries);
    $('filter-type').addEventListener('change', loadDeliveries);
    $('filters').addEventListener('submit', (e) => {
      e.preventDefault();
      loadDeliveries();
    });
    $('filter-clear').addEventListener('click', () => {
      $('filter-source').value = '';
      $('filter-outcome').value = '';
      $('filter-type').value = '';
      loadDeliveries();
    });
    $('pause').addEventListener('change', () => ($('pause').checked ? (closeStream(), setLive('paused', 'paused')) : loadDeliveries()));
    $('detail-close').addEventListener('click', closeDetail);
    $('logout').hidden = !storedToken();
    $('logout').addEventListener('click', () => {
      storeToken('');
      location.reload();
    });
    await loadSources();  // fills the filter choices
    const hash = location.hash.replace('#', '');
    showView(VIEWS.includes(hash) ? hash : 'deliveries');
    await loadDeliveries();
    setInterval(tick, 5000);
    setInterval(refreshView, POLL_MS);
  }

  document.addEventListener('DOMContentLoaded', init);
})();
