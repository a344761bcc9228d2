/* The farmer pages' worker (README "Farmer pages offline"); BUILD from connector/farmers/pwa.py.
 * Hand-written, not Workbox: three short rules are clearer than a library's configuration. */
'use strict';
const BUILD = /* BUILD: filled in by connector/farmers/pwa.py */ {};
importScripts(BUILD.queueScript);
const KEPT = 'farmer-static-' + BUILD.version, PAGES = 'farmer-pages', SCOPE = '/farmer/';
const NOT_KEPT = /^\/farmer\/(sign-in|sign-out|qr\/|offline)/;

const on = (type, act) => self.addEventListener(type, act);
on('install', e => e.waitUntil(caches.open(KEPT)
  .then(c => c.addAll([...BUILD.static, BUILD.offlinePage].map(u => new Request(u, {cache: 'reload'}))))
  .then(() => self.skipWaiting())));

on('activate', e => e.waitUntil(caches.keys()  // older versions' caches go
  .then(all => Promise.all(all.filter(n => n.startsWith('farmer-') && n !== KEPT && n !== PAGES).map(n => caches.delete(n))))
  .then(() => self.clients.claim())));

on('fetch', e => {
  const req = e.request, url = new URL(req.url);
  if (url.origin !== location.origin) return;
  if (req.mode === 'navigate' && url.pathname.startsWith(SCOPE)) {
    if (req.method === 'GET') e.respondWith(page(e, url.pathname));
    else if (/^application\/x-www-form-urlencoded/.test(req.headers.get('Content-Type'))) e.respondWith(post(req));
  } else if (req.method === 'GET' && BUILD.static.includes(url.pathname)) {
    e.respondWith(caches.match(url.pathname, {cacheName: KEPT}).then(hit => hit || fetch(req)));
  }
});

on('sync', e => e.tag === 'farmer-queue' &&
  e.waitUntil(FarmerQueue.flush().then(done => { if (done.kept) throw new Error('kept: try again'); })));

async function page(e, path) {
  const req = e.request, pages = await caches.open(PAGES), keep = !NOT_KEPT.test(path);
  let saving;
  const network = fetch(req).then(res => {
    // A sign-in page answering means nobody is signed in: forget the farmer's pages.
    if (res.ok && path.startsWith(SCOPE + 'sign-in')) saving = caches.delete(PAGES);
    else if (res.ok && keep && /^text\/html/.test(res.headers.get('Content-Type'))) {
      saving = pages.put(req.url, res.clone()).then(() => pages.keys())
        .then(all => Promise.all(all.slice(0, -40).map(k => pages.delete(k))));  // the 40 latest
    }
    return res;
  });
  e.waitUntil(network.then(() => saving, () => 0));
  const copy = () => keep && pages.match(req.url, {ignoreVary: true});
  try {
    const res = await Promise.race([network, new Promise(wake => setTimeout(wake, 4000))]);
    const kept = !res && await copy();
    return res || (kept ? saved(kept, BUILD.slow) : await network);
  } catch (offline) {
    const kept = await copy();
    return kept ? saved(kept, BUILD.offline) : caches.match(BUILD.offlinePage, {cacheName: KEPT});
  }
}

async function saved(copy, message) {
  // The first date only: a development server sends the header twice.
  const at = new Date((copy.headers.get('Date') || '').split(',', 2).join(','));
  let time = isNaN(at) ? '?' : at.toLocaleTimeString('vi-VN', {hour: '2-digit', minute: '2-digit'});
  if (!isNaN(at) && at.toDateString() !== new Date().toDateString()) time += ' ' + at.toLocaleDateString('vi-VN');
  const banner = `<p class="notice info" role="status" id="farmer-offline">${message.replace('%(time)s', time)}</p>`;
  const html = (await copy.text()).replace(/<main[^>]*>/, m => m + banner);
  return new Response(html, {headers: {'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store'}});
}

async function post(req) {
  const body = req.clone();
  try {
    return await fetch(req);
  } catch (offline) {  // a change form: queued, and the farmer is back on the page
    const fields = Object.fromEntries(await body.formData());
    if (!fields.change_id) throw offline;
    await FarmerQueue.add(req.url, fields);
    return Response.redirect(/^http/.test(req.referrer) ? req.referrer : SCOPE, 303);
  }
}
