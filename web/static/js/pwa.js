// The installed web app: registers the service worker (/sw.js, the whole site's scope). On the
// check-in page it keeps a copy of the page for offline use; on a page seen signed out it drops
// that copy, so the next person on a shared computer finds nothing of the last.
(function () {
  'use strict';
  if (!('serviceWorker' in navigator)) {
    return;
  }
  const signedIn = document.body.dataset.signedIn === 'true';
  if (!signedIn && self.caches) {
    self.caches.delete('lowdose-pages');
  }
  // A page the service worker already served was kept by it on the way; only the first visit,
  // before the worker controlled the page, asks for a copy (one more request, audited as a view).
  const served = Boolean(navigator.serviceWorker.controller);
  navigator.serviceWorker.register('/sw.js', {scope: '/'}).then(function () {
    return navigator.serviceWorker.ready;
  }).then(function () {
    const form = document.getElementById('checkin-form');
    if (signedIn && !served && form && form.dataset.offline === 'true' && navigator.onLine !== false) {
      return self.caches.open('lowdose-pages').then(function (cache) {
        return cache.add(location.pathname);
      });
    }
    return null;
  }).catch(function () {}); // the site works without it, as before
}());
