/* The farmer pages' script: registers the service worker and keeps the offline queue (issue 13).
 * Plain JS, no build step. Pages work without it: every action is a plain form post. The same file
 * runs in the page and, by importScripts, in the worker (farmer-sw.js): the queue is written once.
 *
 * A form to queue offline:
 *   <form method="post" action="/farmer/products/12/stock" data-offline-queue data-offline-figure="#stock-12">
 *   with csrf_token, change_id (a UUID; replaced by a fresh one at every submit) and stock, delta or price.
 *   data-offline-figure (optional): selector of the element showing just that number, updated at once
 *   (stock, price: the new value; delta: added to the number shown) and marked data-pending.
 * Online it posts as usual. Offline (navigator.onLine false) it is queued here; if the post fails on
 * the way (network error), the worker queues it and sends the farmer back to the page.
 *
 * IndexedDB "farmer" (version 1), stores "queue" and "refused", keyPath "change_id";
 * an entry: {change_id, url, fields: {name: value}, time: ms}. window.FarmerQueue (also in the worker):
 *   add(url, fields) -> Promise<entry>   list() -> Promise<entry[]>, oldest first
 *   flush() -> Promise<{sent, refused, kept}>   refused() -> Promise<entry[]>   dismiss(change_id)
 * flush: a fresh token from GET /farmer/csrf-token (a redirect there = signed out: keep all), then
 * each change once: POST url, form-urlencoded, same fields and change_id, X-Requested-With: fetch,
 * Accept: application/json, redirects not followed. Below 300 or a redirect: sent. 408, 429, 5xx or
 * no network: kept. Other 4xx: refused (kept in "refused", shown with the JSON {message}).
 * Tried on page load, on "online", and by Background Sync (tag "farmer-queue"); a Web Lock of the
 * same name stops the page and the worker sending one change twice.
 * Events on document, detail = the entry (+ status, message): farmer:queued, farmer:sent,
 * farmer:refused; farmer:sign-in-needed; farmer:flushed (detail {sent, refused, kept}).
 */
(function (self) {
  'use strict';
  const TAG = 'farmer-queue', CSRF = '/farmer/csrf-token';

  function store(name, mode, act) {
    return new Promise((resolve, reject) => {
      const open = indexedDB.open('farmer', 1);
      open.onupgradeneeded = () => ['queue', 'refused'].forEach(s => open.result.createObjectStore(s, {keyPath: 'change_id'}));
      open.onerror = () => reject(open.error);
      open.onsuccess = () => {
        const db = open.result, tx = db.transaction(name, mode), req = act(tx.objectStore(name));
        tx.oncomplete = () => { db.close(); resolve(req.result); };
        tx.onerror = tx.onabort = () => { db.close(); reject(tx.error); };
      };
    });
  }

  function uuid() {
    if (crypto.randomUUID) return crypto.randomUUID();
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = b[6] & 15 | 64; b[8] = b[8] & 63 | 128;
    const h = Array.from(b, x => x.toString(16).padStart(2, '0')).join('');
    return [h.slice(0, 8), h.slice(8, 12), h.slice(12, 16), h.slice(16, 20), h.slice(20)].join('-');
  }

  function tell(type, detail) {
    if (self.document) document.dispatchEvent(new CustomEvent(type, {detail}));
    else self.clients.matchAll().then(all => all.forEach(c => c.postMessage({farmer: type, detail})));
  }

  const Queue = {
    add(url, fields) {
      const id = fields.change_id || uuid();
      const entry = {change_id: id, url: new URL(url, self.location.href).href, fields: {...fields, change_id: id}, time: Date.now()};
      return store('queue', 'readwrite', s => s.put(entry)).then(() => {
        const sync = r => r.sync && r.sync.register(TAG);
        if (self.registration) sync(self.registration);
        else if (navigator.serviceWorker) navigator.serviceWorker.ready.then(sync).catch(() => {});
        tell('farmer:queued', entry);
        return entry;
      });
    },
    list: () => store('queue', 'readonly', s => s.getAll()).then(all => all.sort((a, b) => a.time - b.time)),
    refused: () => store('refused', 'readonly', s => s.getAll()),
    dismiss: id => store('refused', 'readwrite', s => s.delete(id)),
    flush: () => navigator.locks ? navigator.locks.request(TAG, send) : send(),
  };

  const asked = {credentials: 'same-origin', redirect: 'manual',
    headers: {'X-Requested-With': 'fetch', Accept: 'application/json'}};

  async function send() {
    const done = {sent: 0, refused: 0, kept: 0}, waiting = await Queue.list();
    let token = null;
    if (waiting.length) {
      try {
        const answer = await fetch(CSRF, asked);
        if (answer.ok) token = (await answer.json()).csrf_token;
        else if (answer.type === 'opaqueredirect') tell('farmer:sign-in-needed', {});
      } catch (offline) { /* kept */ }
    }
    for (const entry of waiting) {
      let answer = null;
      if (token) {
        try {
          answer = await fetch(entry.url, {...asked, method: 'POST', body: new URLSearchParams({...entry.fields, csrf_token: token})});
        } catch (offline) { token = null; }
      }
      if (!answer || answer.status >= 500 || answer.status === 408 || answer.status === 429) { done.kept++; continue; }
      await store('queue', 'readwrite', s => s.delete(entry.change_id));
      if (answer.type === 'opaqueredirect' || answer.status < 300) {
        done.sent++; tell('farmer:sent', {...entry, status: answer.status});
      } else {
        const message = await answer.json().then(body => body.message || '', () => '');
        const refused = {...entry, status: answer.status, message};
        await store('refused', 'readwrite', s => s.put(refused));
        done.refused++; tell('farmer:refused', refused);
      }
    }
    tell('farmer:flushed', done);
    return done;
  }

  self.FarmerQueue = Queue;
  if (!self.document) return;

  // -- the page ----------------------------------------------------------------------------------
  const data = document.currentScript.dataset;
  if ('serviceWorker' in navigator && data.sw) {
    navigator.serviceWorker.register(data.sw, {scope: data.scope}).catch(() => {});
    navigator.serviceWorker.addEventListener('message', e => e.data && e.data.farmer && tell(e.data.farmer, e.data.detail));
  }

  let region = null;
  function say(key, text, kind) {
    if (!region) {
      region = document.createElement('div');
      region.id = 'farmer-status'; region.setAttribute('role', 'status');
      const main = document.querySelector('main') || document.body;
      main.insertBefore(region, main.firstChild);
    }
    let p = region.querySelector(`[data-key="${key}"]`);
    if (!text) return p && p.remove();
    if (!p) { p = document.createElement('p'); p.dataset.key = key; region.append(p); }
    p.className = 'notice ' + (kind || 'info'); p.textContent = text;
    return p;
  }

  function figure(entry) {
    const form = Array.from(document.querySelectorAll('form[data-offline-queue][data-offline-figure]')).find(f => f.action === entry.url);
    const shown = form && document.querySelector(form.dataset.offlineFigure), f = entry.fields;
    if (!shown) return;
    const value = f.delta != null ? (parseInt(shown.textContent.replace(/[^\d-]/g, ''), 10) || 0) + Number(f.delta)
      : Number(f.stock != null ? f.stock : f.price);
    if (Number.isFinite(value)) { shown.textContent = value.toLocaleString('vi-VN'); shown.dataset.pending = ''; }
  }

  function refusal(entry) {
    const p = say(entry.change_id, `${data.msgRefused}${entry.message ? ': ' + entry.message : ''}`, 'error');
    p.setAttribute('role', 'alert');
    const ok = document.createElement('button');
    ok.type = 'button'; ok.textContent = data.msgDismiss;
    ok.addEventListener('click', () => Queue.dismiss(entry.change_id).then(() => say(entry.change_id)));
    p.append(' ', ok);
  }

  document.addEventListener('submit', e => {
    const form = e.target;
    if (!form.matches('form[data-offline-queue]')) return;
    const fields = Object.fromEntries(new FormData(form));
    if (e.submitter && e.submitter.name) fields[e.submitter.name] = e.submitter.value;
    fields.change_id = uuid();
    if (form.elements.change_id) form.elements.change_id.value = fields.change_id;
    if (navigator.onLine) return;  // a plain post; the worker queues it if the network fails on the way
    e.preventDefault();
    Queue.add(form.action, fields);
  });
  document.addEventListener('farmer:queued', e => { figure(e.detail); say('queue', data.msgQueued); });
  document.addEventListener('farmer:refused', e => refusal(e.detail));
  document.addEventListener('farmer:sign-in-needed', () => say('queue', data.msgSignIn, 'error'));
  document.addEventListener('farmer:flushed', e => {
    if (!e.detail.kept) say('queue');
    if (e.detail.sent) say('sent', data.msgSent);
  });

  // The saved copy's notice, written into the page by the worker, is said again once the page has loaded.
  const saved = document.getElementById('farmer-offline');
  if (saved) { const text = saved.textContent; saved.textContent = ''; setTimeout(() => { saved.textContent = text; }, 100); }

  const flush = () => navigator.onLine && Queue.flush().catch(() => {});
  Queue.list().then(all => { all.forEach(figure); if (all.length) say('queue', data.msgQueued); });
  Queue.refused().then(all => all.forEach(refusal));
  addEventListener('online', flush);
  flush();
})(self);
