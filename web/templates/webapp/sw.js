// lowdose's service worker (served at /sw.js by apps.webapp.views.service_worker).
// It keeps the app shell (CSS, scripts, icons) and the patient's check-in page, so the check-in
// opens with no connection; it sends check-ins saved offline when the connection returns
// (Background Sync, where the browser has it); and it shows Web Push notifications.
'use strict';
const VERSION = '{{ version }}';
const SHELL_CACHE = 'lowdose-shell-' + VERSION;
const PAGE_CACHE = 'lowdose-pages'; // the signed-in patient's check-in page; emptied at sign-out
const SHELL = {{ shell|safe }};
const ICON = {{ icon|safe }};
const CHECKIN_PAGE = /^\/patients\/\d+\/checkin\/$/;

importScripts({{ queue_script|safe }}); // self.LowdoseQueue

self.addEventListener('install', function (event) {
  event.waitUntil(caches.open(SHELL_CACHE).then(function (cache) {
    return cache.addAll(SHELL);
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener('activate', function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return name.indexOf('lowdose-shell-') === 0 && name !== SHELL_CACHE;
    }).map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

function offlinePage() {
  return caches.open(PAGE_CACHE).then(function (cache) {
    return cache.keys();
  }).then(function (keys) {
    const checkin = keys.length ? new URL(keys[0].url).pathname : '';
    const link = checkin
      ? '<p><a href="' + checkin + '">Open your check-in</a>: it works offline, and is sent when you are back online.</p>'
      : '';
    const html = '<!doctype html><html lang="en"><head><meta charset="utf-8">' +
      '<meta name="viewport" content="width=device-width, initial-scale=1">' +
      '<title>Offline · lowdose</title><link rel="stylesheet" href="' + SHELL[0] + '"></head>' +
      '<body><main id="main"><h1>You are offline</h1>' +
      '<p>This page needs the connection. Try again when you are back online.</p>' + link +
      '</main></body></html>';
    return new Response(html, {status: 503, headers: {'Content-Type': 'text/html; charset=utf-8'}});
  });
}

function checkinPage(request) {
  return fetch(request).then(function (response) {
    if (response.ok && response.type === 'basic' && !response.redirected) {
      const copy = response.clone();
      caches.open(PAGE_CACHE).then(function (cache) { return cache.put(request.url, copy); });
    }
    return response;
  }).catch(function () {
    return caches.open(PAGE_CACHE).then(function (cache) {
      return cache.match(request.url, {ignoreSearch: true});
    }).then(function (cached) { return cached || offlinePage(); });
  });
}

self.addEventListener('fetch', function (event) {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin) {
    return; // the network, as without a service worker
  }
  if (request.mode === 'navigate') {
    if (CHECKIN_PAGE.test(url.pathname)) {
      event.respondWith(checkinPage(request));
    } else {
      event.respondWith(fetch(request).catch(offlinePage));
    }
    return;
  }
  if (SHELL.indexOf(url.pathname) !== -1) {
    event.respondWith(caches.match(url.pathname, {cacheName: SHELL_CACHE}).then(function (hit) {
      return hit || fetch(request);
    }));
  }
});

self.addEventListener('message', function (event) {
  if (event.data && event.data.type === 'forget') {
    event.waitUntil(caches.delete(PAGE_CACHE));
  }
});

function tellPages() {
  return self.clients.matchAll({type: 'window'}).then(function (pages) {
    pages.forEach(function (page) { page.postMessage({type: 'queue-changed'}); });
  });
}

self.addEventListener('sync', function (event) {
  if (event.tag === 'lowdose-checkins') {
    event.waitUntil(self.LowdoseQueue.sendAll(null, '').then(function (outcome) {
      return tellPages().then(function () {
        if (outcome === 'offline') { throw new Error('still offline'); } // the browser retries
      });
    }));
  }
});

self.addEventListener('push', function (event) {
  let message = {};
  try { message = event.data ? event.data.json() : {}; } catch (error) { message = {}; }
  const title = message.title || 'lowdose';
  event.waitUntil(self.registration.showNotification(title, {
    body: message.body || '',
    icon: ICON,
    data: {url: typeof message.url === 'string' && message.url.charAt(0) === '/' ? message.url : '/'}
  }));
});

self.addEventListener('notificationclick', function (event) {
  event.notification.close();
  const target = new URL(event.notification.data && event.notification.data.url || '/', self.location.origin).href;
  event.waitUntil(self.clients.matchAll({type: 'window', includeUncontrolled: true}).then(function (pages) {
    for (const page of pages) {
      if (page.url === target && 'focus' in page) { return page.focus(); }
    }
    return self.clients.openWindow(target);
  }));
});
