// The field app's service worker: keeps the app shell (the page, its scripts, style and manifest) for offline start.
// It never keeps an API answer or any page with personal data: worklists live in IndexedDB only.
const SHELL = /*SHELL*/[];
const CACHE = "phongdich-field-" + SHELL.join("|").length + "-" + SHELL.slice(-4).join("|");

self.addEventListener("install", (ev) => {
  ev.waitUntil(caches.open(CACHE).then((c) => c.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (ev) => {
  ev.waitUntil(caches.keys().then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});

self.addEventListener("fetch", (ev) => {
  const url = new URL(ev.request.url);
  if (ev.request.method !== "GET" || url.origin !== location.origin || !SHELL.includes(url.pathname)) return;
  if (ev.request.mode === "navigate") {
    // The page: from the network when there is one (a signed-out user is sent to sign in), else the kept shell.
    ev.respondWith(fetch(ev.request).then((r) => {
      if (r.ok && !r.redirected) caches.open(CACHE).then((c) => c.put(url.pathname, r.clone()));
      return r;
    }).catch(() => caches.match(url.pathname)));
    return;
  }
  ev.respondWith(caches.match(url.pathname).then((hit) => hit || fetch(ev.request)));
});
