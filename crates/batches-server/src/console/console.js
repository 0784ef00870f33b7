// The emulator's console: a client of the emulator's own API, like any other.
//
// It asks for an API key once, keeps it in this tab's sessionStorage and sends it as
// `Authorization: Bearer` to the same origin only. Every view is read through the API
// (or the emulator's own JSON under /emulator/) and refreshed about every second while
// the page is visible. Documents are shown safely: every text goes into the page as text
// (never as HTML), and Markdown is rendered from a small subset into DOM nodes.
'use strict';

(() => {
  const KEY_STORAGE = 'batches-console-key';
  const POLL_MS = 1000;
  const TERMINAL = ['COMPLETED', 'FAILED', 'CANCELLED'];
  const STATUSES = ['PENDING', 'THROTTLED', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED'];

  const main = document.getElementById('main');
  const nav = document.getElementById('nav');
  const live = document.getElementById('live');
  const forget = document.getElementById('forget');

  let key = sessionStorage.getItem(KEY_STORAGE);
  // The view on screen: what it loads, how it draws, and the last data drawn.
  let current = null;
  let inFlight = false;

  // --- DOM helpers: text always goes in as text ---------------------------------------

  function el(tag, attributes, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (name === 'onclick' || name === 'onsubmit' || name === 'onchange') {
        node.addEventListener(name.slice(2), value);
      } else {
        node.setAttribute(name, value === true ? '' : String(value));
      }
    }
    for (const child of children.flat(Infinity)) {
      if (child === undefined || child === null || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function link(hash, text, focusKey) {
    return el('a', { href: hash, 'data-focus': focusKey || hash }, text);
  }

  function when(value) {
    if (!value) return '';
    const date = new Date(value);
    return Number.isNaN(date.getTime()) ? String(value) : date.toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
  }

  function badge(status) {
    const text = status || 'unknown';
    return el('span', { class: 'badge badge-' + text.toLowerCase() }, text);
  }

  // A table whose cells carry their column's name, which narrow screens show beside the
  // value (each row becomes a card).
  function table(caption, columns, rows, empty) {
    if (rows.length === 0) return el('p', { class: 'empty' }, empty);
    return el('div', { class: 'table-wrap' },
      el('table', {},
        el('caption', {}, caption),
        el('thead', {}, el('tr', {}, columns.map((c) => el('th', { scope: 'col' }, c)))),
        el('tbody', {}, rows.map((cells) => el('tr', {},
          cells.map((cell, i) => el('td', { 'data-label': columns[i] }, cell)))))));
  }

  function details(pairs) {
    return el('dl', { class: 'details' },
      pairs.filter(([, value]) => value !== undefined && value !== null && value !== '')
        .flatMap(([name, value]) => [el('dt', {}, name), el('dd', {}, value)]));
  }

  function json(value) {
    return el('pre', { class: 'json' }, JSON.stringify(value, null, 2));
  }

  // --- the API ----------------------------------------------------------------------

  class ApiError extends Error {
    constructor(status, message) {
      super(message);
      this.status = status;
    }
  }

  // The error body's `detail`: a message, an object with one, or FastAPI's list of
  // validation errors.
  function describe(status, body) {
    const detail = body && body.detail;
    if (typeof detail === 'string') return `${status}: ${detail}`;
    if (Array.isArray(detail)) {
      return `${status}: ` + detail.map((d) => `${(d.loc || []).join('.')}: ${d.msg}`).join('; ');
    }
    if (detail && typeof detail === 'object' && detail.message) return `${status}: ${detail.message}`;
    return `the emulator answered ${status}`;
  }

  async function api(path) {
    const response = await fetch(path, {
      headers: { Authorization: 'Bearer ' + key, Accept: 'application/json', 'X-Emulator-Console': '1' },
      cache: 'no-store',
      credentials: 'omit',
    });
    const text = await response.text();
    let body = null;
    try {
      body = text ? JSON.parse(text) : null;
    } catch (_) {
      throw new ApiError(response.status, `the emulator answered ${response.status} with a body that is not JSON`);
    }
    if (!response.ok) throw new ApiError(response.status, describe(response.status, body));
    return body;
  }

  function query(params) {
    const search = new URLSearchParams();
    for (const [name, value] of Object.entries(params)) {
      if (value !== undefined && value !== null && value !== '') search.set(name, value);
    }
    const text = search.toString();
    return text ? '?' + text : '';
  }

  // --- Markdown: a small safe subset, built as DOM nodes ------------------------------

  const INLINE = /(`[^`\n]+`|\*\*[^*\n]+\*\*|__[^_\n]+__|\*[^*\s][^*\n]*\*|\[[^\]\n]+\]\([^)\s]+\))/;

  function inline(text) {
    const nodes = [];
    for (const part of text.split(INLINE)) {
      if (!part) continue;
      if (part.startsWith('`') && part.endsWith('`') && part.length > 2) {
        nodes.push(el('code', {}, part.slice(1, -1)));
      } else if ((part.startsWith('**') || part.startsWith('__')) && part.length > 4) {
        nodes.push(el('strong', {}, part.slice(2, -2)));
      } else if (part.startsWith('*') && part.endsWith('*') && part.length > 2) {
        nodes.push(el('em', {}, part.slice(1, -1)));
      } else if (part.startsWith('[') && part.includes('](')) {
        // A link is shown with its target as text, never followed from a document.
        const [label, target] = part.slice(1, -1).split('](');
        nodes.push(label, el('span', { class: 'link-target' }, ` (${target})`));
      } else {
        nodes.push(part);
      }
    }
    return nodes;
  }

  function cells(line) {
    return line.trim().replace(/^\|/, '').replace(/\|$/, '').split('|').map((c) => c.trim());
  }

  function markdown(source) {
    const article = el('article', { class: 'markdown' });
    const lines = source.replace(/\r\n?/g, '\n').split('\n');
    let paragraph = [];
    let list = null;
    const flush = () => {
      if (paragraph.length) article.append(el('p', {}, inline(paragraph.join('\n'))));
      paragraph = [];
      list = null;
    };
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i];
      let match;
      if (/^\s*```/.test(line)) {
        flush();
        const code = [];
        for (i++; i < lines.length && !/^\s*```/.test(lines[i]); i++) code.push(lines[i]);
        article.append(el('pre', {}, el('code', {}, code.join('\n'))));
      } else if ((match = /^(#{1,6})\s+(.*)$/.exec(line))) {
        flush();
        const level = Math.min(6, match[1].length + 2);
        article.append(el('h' + level, {}, inline(match[2].replace(/\s+#+\s*$/, ''))));
      } else if (/^\s*\|.*\|\s*$/.test(line)) {
        flush();
        const rows = [];
        for (; i < lines.length && /^\s*\|.*\|\s*$/.test(lines[i]); i++) rows.push(lines[i]);
        i--;
        const body = rows.filter((row) => !/^\s*\|?[\s:|-]+\|?\s*$/.test(row)).map(cells);
        const [head, ...rest] = body;
        article.append(el('div', { class: 'table-wrap' }, el('table', {},
          el('thead', {}, el('tr', {}, (head || []).map((c) => el('th', { scope: 'col' }, inline(c))))),
          el('tbody', {}, rest.map((row) => el('tr', {}, row.map((c) => el('td', {}, inline(c)))))))));
      } else if ((match = /^\s*([-*+]|\d+[.)])\s+(.*)$/.exec(line))) {
        const ordered = /\d/.test(match[1]);
        if (paragraph.length) flush();
        if (!list || (list.tagName === 'OL') !== ordered) {
          list = el(ordered ? 'ol' : 'ul');
          article.append(list);
        }
        list.append(el('li', {}, inline(match[2])));
      } else if (/^\s*(-{3,}|\*{3,}|_{3,})\s*$/.test(line)) {
        flush();
        article.append(el('hr'));
      } else if ((match = /^\s*>\s?(.*)$/.exec(line))) {
        flush();
        article.append(el('blockquote', {}, inline(match[1])));
      } else if (line.trim() === '') {
        flush();
      } else {
        list = null;
        paragraph.push(line);
      }
    }
    flush();
    return article;
  }

  // --- views ------------------------------------------------------------------------

  // Each view: `title`, optional `controls()` (built once, kept across refreshes),
  // `load()` (its data), `render(data)` (the part refreshed) and optional
  // `settled(data)`, true once the data can change no more (then it is not read again).

  const BATCH_FILTERS = [
    ['status', 'Status'],
    ['source_directory_id', 'Source directory ID'],
    ['created_at_on_or_after', 'Created on or after'],
    ['created_at_on_or_before', 'Created on or before'],
    ['project_id', 'Project ID'],
    ['organization_id', 'Organization ID'],
    ['page_size', 'Page size'],
    ['page_token', 'Page token'],
  ];

  function batchesView(params) {
    return {
      title: 'Batches',
      controls() {
        const fields = BATCH_FILTERS.map(([name, label]) => {
          const id = 'filter-' + name;
          let input;
          if (name === 'status') {
            input = el('select', { id, name }, el('option', { value: '' }, 'any'),
              STATUSES.map((s) => el('option', { value: s, selected: params.get(name) === s }, s)));
          } else {
            input = el('input', {
              id, name, value: params.get(name) || '', autocomplete: 'off',
              type: name === 'page_size' ? 'number' : 'text',
              min: name === 'page_size' ? 1 : null,
              placeholder: name.startsWith('created_at') ? '2026-01-31T00:00:00Z' : null,
            });
          }
          return el('div', { class: 'field' }, el('label', { for: id }, label), input);
        });
        const form = el('form', { class: 'filters', 'aria-label': 'Batch filters' },
          el('fieldset', {}, el('legend', {}, 'Filters'), fields,
            el('div', { class: 'actions' },
              el('button', { type: 'submit' }, 'Apply filters'),
              el('button', { type: 'button', onclick: () => go('#/batches') }, 'Clear'))));
        form.addEventListener('submit', (event) => {
          event.preventDefault();
          const values = {};
          for (const [name] of BATCH_FILTERS) values[name] = form.elements[name].value.trim();
          // A page token is bound to the filters it was made with: other filters start
          // from the first page.
          const changed = BATCH_FILTERS.some(([name]) => name !== 'page_token' && values[name] !== (params.get(name) || ''));
          if (changed && values.page_token === (params.get('page_token') || '')) values.page_token = '';
          go('#/batches' + query(values));
        });
        return form;
      },
      load: () => api('/api/v2/batches' + query(Object.fromEntries(params))),
      render(page) {
        const rows = (page.items || []).map((b) => [
          link('#/batches/' + encodeURIComponent(b.id), b.id),
          badge(b.status),
          (b.config && b.config.job && b.config.job.type) || '',
          link('#/directories/' + encodeURIComponent(b.source_directory_id), b.source_directory_id),
          when(b.created_at),
        ]);
        const next = page.next_page_token;
        const pager = el('div', { class: 'pager' },
          typeof page.total_size === 'number' ? el('span', {}, `${page.total_size} in all`) : null,
          params.get('page_token') ? link('#/batches' + query({ ...Object.fromEntries(params), page_token: '' }), 'First page') : null,
          next ? link('#/batches' + query({ ...Object.fromEntries(params), page_token: next }), 'Next page', 'next-page') : null);
        return [table('Batches, newest first', ['Batch', 'Status', 'Job', 'Source directory', 'Created'], rows, 'No batch matches.'), pager];
      },
    };
  }

  // File names by directory file id, per directory, read once per directory (again when a
  // result names a file not seen yet).
  const fileNames = new Map();

  async function namesOf(directoryId, wanted) {
    const known = fileNames.get(directoryId) || new Map();
    if (wanted.every((id) => known.has(id))) return known;
    let token = '';
    for (let pages = 0; pages < 20; pages++) {
      const page = await api(`/api/v1/beta/directories/${encodeURIComponent(directoryId)}/files` + query({ page_size: 100, page_token: token }));
      for (const file of page.items || []) known.set(file.id, file.display_name);
      token = page.next_page_token;
      if (!token) break;
    }
    fileNames.set(directoryId, known);
    return known;
  }

  function batchView(id) {
    return {
      title: 'Batch ' + id,
      async load() {
        const batch = await api(`/api/v2/batches/${encodeURIComponent(id)}?expand=results`);
        const results = batch.results || [];
        // The names only help: a directory that cannot be listed leaves them out.
        const names = await namesOf(batch.source_directory_id, results.map((r) => r.source_directory_file_id))
          .catch(() => new Map());
        return { batch, names: Object.fromEntries(names) };
      },
      // An ended batch changes no more.
      settled: ({ batch }) => TERMINAL.includes(batch.status),
      render({ batch, names }) {
        const job = (batch.config && batch.config.job) || {};
        const rows = (batch.results || []).map((r) => {
          const ref = r.job_reference;
          return [
            names[r.source_directory_file_id] || '',
            r.source_directory_file_id,
            ref ? link(`#/jobs/${encodeURIComponent(ref.type)}/${encodeURIComponent(ref.id)}`, ref.id) : '',
            r.error_message || '',
          ];
        });
        return [
          details([
            ['Status', badge(batch.status)],
            ['Job type', job.type],
            ['Configuration', job.configuration_id],
            ['Source directory', link('#/directories/' + encodeURIComponent(batch.source_directory_id), batch.source_directory_id)],
            ['Project', batch.project_id],
            ['Created', when(batch.created_at)],
            ['Updated', when(batch.updated_at)],
            ['Webhook deliveries', link('#/deliveries' + query({ batch_id: batch.id }), 'of this batch', 'deliveries')],
          ]),
          table('Results per file', ['File', 'Directory file', 'Job', 'Error'], rows,
            TERMINAL.includes(batch.status) ? 'This batch has no result.' : 'No result yet: the batch is still running.'),
        ];
      },
    };
  }

  function jobView(type, id) {
    const extract = type === 'extract_v2';
    let source = false;
    return {
      title: (extract ? 'Extract job ' : 'Parse job ') + id,
      load: () => extract
        ? api(`/api/v2/extract/${encodeURIComponent(id)}?expand=extract_metadata&expand=usage`)
        : api(`/api/v2/parse/${encodeURIComponent(id)}?expand=markdown_full&expand=markdown_content_metadata&expand=usage`),
      // An ended job changes no more: its Markdown is not read again every second.
      settled: (data) => TERMINAL.includes((extract ? data : data.job || {}).status),
      render(data) {
        const job = extract ? data : data.job || {};
        const summary = details([
          ['Status', badge(job.status)],
          ['Name', job.name],
          ['Tier', job.tier],
          ['Configuration', job.configuration_id],
          ['Directory file', job.file_input],
          ['Error', job.error_message],
          ['Created', when(job.created_at)],
          ['Updated', when(job.updated_at)],
          ['Credits', job.usage && job.usage.credits],
        ]);
        if (extract) {
          const fields = Object.entries(data.extract_result || {}).map(([name, value]) => [
            name, el('code', {}, JSON.stringify(value)),
          ]);
          const parse = data.extract_metadata && data.extract_metadata.parse_job_id;
          return [summary,
            parse ? el('p', {}, 'Parsed by ', link('#/jobs/parse_v2/' + encodeURIComponent(parse), parse)) : null,
            table('Extracted fields', ['Field', 'Value'], fields, TERMINAL.includes(job.status) ? 'No field extracted.' : 'Not extracted yet.')];
        }
        const heading = el('h3', {}, 'Markdown');
        if (typeof data.markdown_full !== 'string') {
          const meta = data.markdown_content_metadata || (data.result_content_metadata || {}).markdown;
          const url = meta && meta.presigned_url;
          return [summary, heading, url
            ? el('p', {}, `The Markdown (${meta.size_bytes} bytes) is served only through its presigned URL: `, el('a', { href: url }, 'open it'))
            : el('p', { class: 'empty' }, TERMINAL.includes(job.status) ? 'This job has no Markdown.' : 'No Markdown yet.')];
        }
        const toggle = el('button', { type: 'button', 'aria-pressed': String(source), 'data-focus': 'toggle-source' }, 'Show the source');
        const body = el('div', { class: 'markdown-box' }, source ? el('pre', { class: 'source' }, data.markdown_full) : markdown(data.markdown_full));
        toggle.addEventListener('click', () => {
          source = !source;
          toggle.setAttribute('aria-pressed', String(source));
          body.replaceChildren(source ? el('pre', { class: 'source' }, data.markdown_full) : markdown(data.markdown_full));
        });
        return [summary, heading, toggle, body];
      },
    };
  }

  function directoriesView(params) {
    return {
      title: 'Directories',
      load: () => api('/api/v1/beta/directories' + query({ page_size: 50, page_token: params.get('page_token') })),
      render(page) {
        const rows = (page.items || []).map((d) => [
          link('#/directories/' + encodeURIComponent(d.id), d.name || d.id), d.id, d.type || '', when(d.created_at),
        ]);
        const next = page.next_page_token;
        return [table('Directories', ['Name', 'ID', 'Type', 'Created'], rows, 'No directory yet.'),
          next ? el('div', { class: 'pager' }, link('#/directories' + query({ page_token: next }), 'Next page', 'next-page')) : null];
      },
    };
  }

  function directoryView(id, params) {
    const path = `/api/v1/beta/directories/${encodeURIComponent(id)}`;
    return {
      title: 'Directory ' + id,
      async load() {
        const [directory, files] = await Promise.all([
          api(path),
          api(path + '/files' + query({ page_size: 100, page_token: params.get('page_token') })),
        ]);
        return { directory, files };
      },
      render({ directory, files }) {
        const rows = (files.items || []).map((f) => [
          f.display_name, f.id, f.unique_id || '', f.file_id || '', when(f.created_at),
          f.metadata ? el('code', {}, JSON.stringify(f.metadata)) : '',
        ]);
        const next = files.next_page_token;
        return [
          details([['Name', directory.name], ['Type', directory.type], ['Description', directory.description],
            ['Project', directory.project_id], ['Created', when(directory.created_at)],
            ['Batches over it', link('#/batches' + query({ source_directory_id: directory.id }), 'list them', 'batches-of')]]),
          table('Files', ['Name', 'ID', 'Unique ID', 'File ID', 'Created', 'Metadata'], rows, 'No file yet.'),
          next ? el('div', { class: 'pager' }, link(`#/directories/${encodeURIComponent(id)}` + query({ page_token: next }), 'Next page', 'next-page')) : null,
        ];
      },
    };
  }

  function deliveriesView(params) {
    return {
      title: 'Webhook deliveries',
      controls() {
        const form = el('form', { class: 'filters', 'aria-label': 'Delivery filter' },
          el('div', { class: 'field' }, el('label', { for: 'filter-batch' }, 'Batch ID'),
            el('input', { id: 'filter-batch', name: 'batch_id', value: params.get('batch_id') || '', autocomplete: 'off' })),
          el('div', { class: 'actions' }, el('button', { type: 'submit' }, 'Show')));
        form.addEventListener('submit', (event) => {
          event.preventDefault();
          go('#/deliveries' + query({ batch_id: form.elements.batch_id.value.trim() }));
        });
        return form;
      },
      load: () => api('/emulator/webhook-deliveries' + query({ batch_id: params.get('batch_id') })),
      render(data) {
        const rows = (data.items || []).slice().reverse().map((d) => [
          d.event_type + (d.duplicate ? ' (duplicate)' : ''),
          link('#/batches/' + encodeURIComponent(d.batch_id), d.batch_id, 'd-' + d.delivery_id),
          d.webhook_url,
          badge(d.status),
          String(d.attempts),
          d.last_status_code ? String(d.last_status_code) : d.last_error || '',
          when(d.next_attempt_at),
          when(d.created_at),
        ]);
        return table('Webhook deliveries, newest first', ['Event', 'Batch', 'URL', 'Status', 'Attempts', 'Last answer', 'Next attempt', 'Created'], rows, 'No delivery yet.');
      },
    };
  }

  function faultsView() {
    return {
      title: 'Fault settings',
      load: () => api('/emulator/faults'),
      render(f) {
        const limit = f.upload_rate_limit;
        const hooks = f.webhooks || {};
        return [
          details([
            ['Fault rate', String(f.fault_rate)],
            ['Fault kinds', (f.fault_kinds || []).join(', ')],
            ['Fault seed', String(f.fault_seed)],
            ['Added latency', `${f.latency_ms} ms`],
            ['Slow fault', `${f.slow_fault_ms} ms`],
            ['Processing step', `${f.processing_ms} ms`],
            ['Batches at once per project', String(f.concurrency_limit)],
            ['Upload rate limit', limit ? `${limit.requests} per ${limit.window_ms} ms` : 'none'],
            ['Requests numbered', String(f.requests_numbered)],
          ]),
          el('h3', {}, 'Webhook deliveries'),
          details([
            ['Hosts allowed besides loopback', (hooks.allow_hosts || []).join(', ') || 'none'],
            ['First retry after', `${hooks.retry_base_ms} ms`],
            ['Attempt timeout', `${hooks.timeout_ms} ms`],
            ['Shuffled', hooks.shuffle ? 'yes' : 'no'],
            ['Duplicate rate', String(hooks.duplicate_rate)],
          ]),
        ];
      },
    };
  }

  function requestsView() {
    let showConsole = false;
    return {
      title: 'Recent requests',
      controls() {
        const box = el('input', { type: 'checkbox', id: 'show-console' });
        box.addEventListener('change', () => {
          showConsole = box.checked;
          current.last = null;
          refresh();
        });
        return el('div', { class: 'field inline' }, box, el('label', { for: 'show-console' }, 'Show the console\'s own requests'));
      },
      async load() {
        const data = await api('/emulator/requests');
        return { kept: data.kept, items: (data.items || []).filter((r) => showConsole || !r.console) };
      },
      render(data) {
        const rows = data.items.map((r) => [
          when(r.at), r.method, el('code', {}, r.path),
          r.status === null ? 'reset' : String(r.status), r.fault || '', `${r.duration_ms} ms`,
        ]);
        return [el('p', {}, `The latest ${data.kept} requests are kept; query strings and headers never are.`),
          table('Recent requests, newest first', ['Time', 'Method', 'Path', 'Status', 'Fault', 'Took'], rows, 'No request yet.')];
      },
    };
  }

  // --- routing, polling, the key ----------------------------------------------------

  function route() {
    const [path, search] = (location.hash.replace(/^#/, '') || '/batches').split('?');
    const params = new URLSearchParams(search || '');
    const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
    switch (parts[0]) {
      case 'batches': return parts[1] ? batchView(parts[1]) : batchesView(params);
      case 'jobs': return jobView(parts[1], parts[2]);
      case 'directories': return parts[1] ? directoryView(parts[1], params) : directoriesView(params);
      case 'deliveries': return deliveriesView(params);
      case 'faults': return faultsView();
      case 'requests': return requestsView();
      default: return batchesView(params);
    }
  }

  // Shows `hash`: a new hash through the history, the same one drawn again.
  function go(hash) {
    if (location.hash === hash) show();
    else location.hash = hash;
  }

  function setLive(state, text) {
    live.className = 'live live-' + state;
    live.textContent = text;
  }

  function show() {
    if (!key) return askForKey();
    nav.hidden = false;
    forget.hidden = false;
    const view = route();
    // Not a live region: a view redrawn every second would be read out every second; the
    // status badge in the header says whether the view is live.
    const region = el('div', { class: 'region' }, el('p', { class: 'empty' }, 'Loading…'));
    const error = el('p', { class: 'error', role: 'alert' });
    current = { view, region, error, last: null, settled: false };
    for (const a of nav.querySelectorAll('a')) {
      const here = location.hash.startsWith(a.getAttribute('href')) || (!location.hash && a.getAttribute('href') === '#/batches');
      if (here) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
    }
    document.title = view.title + ' · batches-server console';
    main.replaceChildren(...[el('h2', {}, view.title), view.controls && view.controls(), error, region].filter(Boolean));
    refresh();
  }

  async function refresh() {
    if (!current || current.settled || inFlight || !key) return;
    const mine = current;
    inFlight = true;
    try {
      const data = await mine.view.load();
      if (mine !== current) return;
      mine.error.textContent = '';
      mine.settled = Boolean(mine.view.settled && mine.view.settled(data));
      setLive('ok', mine.settled ? 'Ended' : 'Live');
      const text = JSON.stringify(data);
      if (text === mine.last) return;
      mine.last = text;
      // Keep the keyboard where it was: the focused link or button is found again by
      // its key in the new rendering.
      const focused = mine.region.contains(document.activeElement) && document.activeElement.getAttribute('data-focus');
      mine.region.replaceChildren(...[mine.view.render(data)].flat().filter(Boolean));
      if (focused) {
        const again = [...mine.region.querySelectorAll('[data-focus]')].find((n) => n.getAttribute('data-focus') === focused);
        if (again) again.focus();
      }
    } catch (error) {
      if (mine !== current) return;
      if (error.status === 401) return askForKey('The emulator refused this API key.');
      mine.error.textContent = error.message || String(error);
      setLive('error', 'Error');
    } finally {
      inFlight = false;
    }
  }

  function askForKey(problem) {
    key = null;
    current = null;
    sessionStorage.removeItem(KEY_STORAGE);
    nav.hidden = true;
    forget.hidden = true;
    setLive('off', 'Not connected');
    document.title = 'batches-server console';
    const input = el('input', { id: 'api-key', name: 'api_key', type: 'password', autocomplete: 'off', required: true, spellcheck: 'false' });
    const form = el('form', { class: 'key-form', 'aria-labelledby': 'key-heading' },
      el('h2', { id: 'key-heading' }, 'Connect'),
      el('p', {}, 'The console reads the emulator through its API. Enter an API key the emulator accepts (its ',
        el('code', {}, '--api-key'), '). The key stays in this tab only and is sent to this emulator only.'),
      el('div', { class: 'field' }, el('label', { for: 'api-key' }, 'API key'), input),
      el('p', { class: 'error', role: 'alert' }, problem || ''),
      el('div', { class: 'actions' }, el('button', { type: 'submit' }, 'Connect')));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      key = input.value.trim();
      if (!key) return;
      sessionStorage.setItem(KEY_STORAGE, key);
      show();
    });
    main.replaceChildren(form);
  }

  forget.addEventListener('click', () => askForKey());
  // The skip link moves the focus; as a hash it would be taken for a view.
  document.getElementById('skip').addEventListener('click', (event) => {
    event.preventDefault();
    main.focus();
  });
  window.addEventListener('hashchange', () => { if (key) show(); });
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') refresh();
    else if (current && !current.settled) setLive('off', 'Paused');
  });
  setInterval(() => { if (document.visibilityState === 'visible') refresh(); }, POLL_MS);
  show();
})();
