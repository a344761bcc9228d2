/* The farmer pages' service worker, served as /farmer/sw.js (scope /farmer/) with its BUILD filled in
 * by connector/farmers/pwa.py: version, Vietnamese messages, the files to keep.
 * Hand-written, not Workbox: three short rules read more clearly here than a library's configuration,
 * and the pages have no build step to bundle one.
 * - Farmer pages (GET navigations): network first; a copy of each page that answered 200 is kept
 *   (never the sign-in, QR or sign-out pages, never a POST's answer). No answer within 4 s and a copy:
 *   the copy; no network: the copy, or the offline page. Either copy says so, with the time it was saved.
 *   Any sign-in page answering 200 means nobody is signed in: the kept pages are deleted.
 * - farmer.css, farmer.js, icons, offline page: cache first, in a cache named by the version; the
 *   caches of older versions are deleted on activate.
 * - A form post that fails on the way and carries a change_id is queued (FarmerQueue, farmer.js).
 */
'use strict';
const BUILD = /* BUILD: filled in by connector/farmers/pwa.py */ {};
importScripts(BUILD.queueScript);

const KEPT = 'farmer-static-' + BUILD.version, PAGES = 'farmer-pages', WAIT_MS = 4000, MAX_PAGES = 40;
const SCOPE = new URL(self.registration.scope).pathname;
const NOT_KEPT = new RegExp('^' + SCOPE + '(sign-in|sign-out|qr/|offline)');

self.addEventListener('install', e => e.waitUntil(caches.open(KEPT)
  .then(cache => cache.addAll(BUILD.static.concat(BUILD.offlinePage).map(url => new Request(url, {cache: 'reload'}))))
  .then(() => self.skipWaiting())));

self.addEventListener('activate', e => e.waitUntil(caches.keys()
  .then(names => Promise.all(names.filter(n => n.startsWith('farmer-') && n !== KEPT && n !== PAGES).map(n => caches.delete(n))))
  .then(() => self.clients.claim())));

self.addEventListener('fetch', e => {
  const req = e.request, url = new URL(req.url);
  if (url.origin !== location.origin) return;
  if (req.mode === 'navigate' && url.pathname.startsWith(SCOPE)) {
    if (req.method === 'GET') e.respondWith(page(e));
    else if ((req.headers.get('Content-Type') || '').startsWith('application/x-www-form-urlencoded')) e.respondWith(post(req));
  } else if (req.method === 'GET' && BUILD.static.includes(url.pathname)) {
    e.respondWith(caches.open(KEPT).then(cache => cache.match(url.pathname).then(hit => hit || fetch(req))));
  }
});

self.addEventListener('sync', e => {
  if (e.tag === 'farmer-queue') {
    e.waitUntil(FarmerQueue.flush().then(done => { if (done.kept) throw new Error('kept for the next try'); }));
  }
});

async function page(e) {
  const req = e.request, path = new URL(req.url).pathname, pages = await caches.open(PAGES);
  let saving = null;
  const network = fetch(req).then(res => {
    const html = (res.headers.get('Content-Type') || '').startsWith('text/html');
    if (res.ok && path.startsWith(SCOPE + 'sign-in')) saving = caches.delete(PAGES);
    else if (res.ok && res.type === 'basic' && html && !NOT_KEPT.test(path)) saving = pages.put(req.url, res.clone()).then(() => trim(pages));
    return res;
  });
  e.waitUntil(network.then(() => saving, () => null));
  const copy = () => NOT_KEPT.test(path) ? null : pages.match(req.url, {ignoreVary: true});
  try {
    const res = await Promise.race([network, new Promise(resolve => setTimeout(resolve, WAIT_MS))]);
    if (res) return res;
    const kept = await copy();
    return kept ? saved(kept, BUILD.slow) : await network;
  } catch (offline) {
    const kept = await copy();
    return kept ? saved(kept, BUILD.offline) : (await caches.match(BUILD.offlinePage, {cacheName: KEPT})) || Response.error();
  }
}

function trim(pages) {
  return pages.keys().then(keys => Promise.all(keys.slice(0, Math.max(0, keys.length - MAX_PAGES)).map(k => pages.delete(k))));
}

async function saved(copy, message) {
  const at = copy.headers.has('Date') ? new Date(copy.headers.get('Date')) : new Date(NaN);
  let time = isNaN(at) ? '?' : at.toLocaleTimeString('vi-VN', {hour: '2-digit', minute: '2-digit'});
  if (!isNaN(at) && at.toDateString() !== new Date().toDateString()) time += ' ' + at.toLocaleDateString('vi-VN');
  const text = message.replace('%(time)s', time).replace(/[&<>]/g, c => `&#${c.charCodeAt(0)};`);
  const banner = `<p class="notice info" role="status" id="farmer-offline">${text}</p>`;
  const html = await copy.text();
  let out = html.replace(/<main[^>]*>/, m => m + banner);
  if (out === html) out = html.replace(/<body[^>]*>/, m => m + banner);
  return new Response(out, {headers: {'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store'}});
}

async function post(req) {
  const body = req.clone();
  try {
    return await fetch(req);
  } catch (offline) {
    const fields = Object.fromEntries(await body.formData());
    if (!fields.change_id) throw offline;
    await FarmerQueue.add(req.url, fields);
    return Response.redirect(req.referrer && req.referrer !== 'about:client' ? req.referrer : SCOPE, 303);
  }
}
