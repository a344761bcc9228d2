/* Farmer pages: the service worker's registration and the offline queue; also run by the worker
 * (importScripts). Forms, names, events: README "Farmer pages offline". Pages work without it.
 * FarmerQueue: add(url, fields), list(), refused(), dismiss(change_id), flush() -> {sent, refused, kept}
 * IndexedDB "farmer", store "queue" (keyPath change_id). Events: farmer:queued, farmer:sent,
 * farmer:refused, farmer:sign-in-needed, farmer:flushed (CustomEvent on document).
 */
(function (self) {
  'use strict';
  const TAG = 'farmer-queue';

  const store = (mode, act) => new Promise((ok, fail) => {
    const open = indexedDB.open('farmer', 1);
    open.onupgradeneeded = () => open.result.createObjectStore('queue', {keyPath: 'change_id'});
    open.onerror = () => fail(open.error);
    open.onsuccess = () => {
      const db = open.result, tx = db.transaction('queue', mode), req = act(tx.objectStore('queue'));
      tx.oncomplete = () => ok(req.result);
      tx.onerror = tx.onabort = () => fail(tx.error);
      db.close();  // takes effect once the transaction is done
    };
  });
  const all = refused => store('readonly', s => s.getAll())
    .then(list => list.filter(e => !e.status === !refused).sort((a, b) => a.time - b.time));

  const tell = (type, detail) => self.document ? document.dispatchEvent(new CustomEvent(type, {detail}))
    : self.clients.matchAll().then(pages => pages.forEach(p => p.postMessage({farmer: type, detail})));

  const Queue = self.FarmerQueue = {
    add(url, fields) {
      const id = fields.change_id || crypto.randomUUID();
      const entry = {change_id: id, url: new URL(url, location).href, fields: {...fields, change_id: id}, time: Date.now()};
      return store('readwrite', s => s.put(entry)).then(() => {
        Promise.resolve(self.registration || navigator.serviceWorker && navigator.serviceWorker.ready)
          .then(r => r.sync.register(TAG)).catch(() => {});  // Background Sync where there is one
        tell('farmer:queued', entry);
        return entry;
      });
    },
    list: () => all(false),
    refused: () => all(true),
    dismiss: id => store('readwrite', s => s.delete(id)),
    flush: () => navigator.locks ? navigator.locks.request(TAG, send) : send(),  // never 2 at once
  };

  const asked = {redirect: 'manual', headers: {'X-Requested-With': 'fetch', Accept: 'application/json'}};

  async function send() {
    const done = {sent: 0, refused: 0, kept: 0}, waiting = await Queue.list();
    let token;  // fresh: the form's may be of an ended browser session
    try {
      const res = waiting.length && await fetch('/farmer/csrf-token', asked);
      if (res.ok) token = (await res.json()).csrf_token;
      else if (res.type === 'opaqueredirect') tell('farmer:sign-in-needed', {});
    } catch (offline) { /* all kept */ }
    for (const entry of waiting) {
      let res;
      try {
        res = token && await fetch(entry.url, {...asked, method: 'POST', body: new URLSearchParams({...entry.fields, csrf_token: token})});
      } catch (offline) { token = null; }
      if (!res || res.status >= 500 || res.status === 429) { done.kept++; continue; }
      if (res.status < 300) {  // or a redirect (status 0)
        await Queue.dismiss(entry.change_id);
        done.sent++; tell('farmer:sent', {...entry, status: res.status});
      } else {
        const refused = {...entry, status: res.status, message: await res.json().then(b => b.message, () => '')};
        await store('readwrite', s => s.put(refused));
        done.refused++; tell('farmer:refused', refused);
      }
    }
    tell('farmer:flushed', done);
    return done;
  }

  if (!self.document) return;

  // -- the page; texts from the template (data-msg-*) --
  const data = document.currentScript.dataset, on = (type, act) => document.addEventListener(type, act);
  const sw = navigator.serviceWorker;
  sw && sw.register(data.sw).catch(() => {});  // its scope: /farmer/
  sw && sw.addEventListener('message', e => e.data.farmer && tell(e.data.farmer, e.data.detail));

  let region;
  function say(key, text, kind) {
    if (!region) {
      document.querySelector('main').prepend(region = document.createElement('div'));
      region.id = 'farmer-status'; region.setAttribute('role', 'status');
    }
    let p = region.querySelector(`[data-key="${key}"]`);
    if (!text) return p && p.remove();
    if (!p) { p = region.appendChild(document.createElement('p')); p.dataset.key = key; }
    p.className = 'notice ' + (kind || 'info'); p.textContent = text;
    return p;
  }

  // "1.250" is 1250 in Vietnamese; "2.5" is not a whole number (the server refuses it: not shown).
  const number = text => /^-?\d{1,3}(\.\d{3})*$|^-?\d+$/.test(text = text.trim()) ? +text.replace(/\./g, '') : NaN;

  function figure({url, fields}) {
    const form = [...document.querySelectorAll('[data-offline-figure]')].find(f => f.action === url);
    const shown = form && document.querySelector(form.dataset.offlineFigure);
    if (!shown) return;
    const {delta, stock, price} = fields;
    const value = delta ? number(shown.textContent) + +delta : number(stock || price);
    if (isFinite(value)) { shown.textContent = value.toLocaleString('vi-VN'); shown.dataset.pending = ''; }
  }

  function refusal({change_id: id, message}) {
    const p = say(id, data.msgRefused + (message ? ': ' + message : ''), 'error'), ok = document.createElement('button');
    ok.type = 'button'; ok.textContent = data.msgDismiss;
    ok.addEventListener('click', () => Queue.dismiss(id).then(() => say(id)));
    p.setAttribute('role', 'alert'); p.append(' ', ok);
  }

  on('submit', e => {
    const form = e.target, by = e.submitter;
    if (!form.matches('[data-offline-queue]')) return;
    const fields = Object.fromEntries(new FormData(form));
    if (by && by.name) fields[by.name] = by.value;
    fields.change_id = crypto.randomUUID();
    if (form.elements.change_id) form.elements.change_id.value = fields.change_id;
    if (navigator.onLine) return;  // a plain post (if it fails on the way, the worker queues it)
    e.preventDefault();
    Queue.add(form.action, fields);
  });
  on('farmer:queued', e => { figure(e.detail); say('queue', data.msgQueued); });
  on('farmer:refused', e => refusal(e.detail));
  on('farmer:sign-in-needed', () => say('queue', data.msgSignIn, 'error'));
  on('farmer:flushed', e => e.detail.kept || say('queue'));

  // The worker's notice on a saved copy: said again once the page is up.
  const saved = document.getElementById('farmer-offline'), text = saved && saved.textContent;
  if (saved) { saved.textContent = ''; setTimeout(() => { saved.textContent = text; }, 100); }

  const flush = () => navigator.onLine && Queue.flush().catch(() => {});
  Queue.list().then(list => { list.forEach(figure); list.length && say('queue', data.msgQueued); });
  Queue.refused().then(list => list.forEach(refusal));
  addEventListener('online', flush);
  flush();
})(self);
