// Check-ins saved on this device while offline: an IndexedDB queue, shared by the check-in page
// (offline-checkins.js) and the service worker (sw.js, Background Sync). Each entry is the body
// of POST /api/v1/patients/<id>/checkins with its own client_id, so sending it twice stores it
// once (the server answers 200 for a re-sent client_id). An entry leaves the queue only when the
// server has acknowledged it (200 or 201).
(function (root) {
  'use strict';
  const DB = 'lowdose-offline';
  const STORE = 'checkins';

  function open() {
    return new Promise(function (resolve, reject) {
      const request = root.indexedDB.open(DB, 1);
      request.onupgradeneeded = function () {
        request.result.createObjectStore(STORE, {keyPath: 'client_id'});
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function run(mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        const tx = db.transaction(STORE, mode);
        const result = work(tx.objectStore(STORE));
        tx.oncomplete = function () { db.close(); resolve(result && result.result); };
        tx.onerror = function () { db.close(); reject(tx.error); };
      });
    });
  }

  function put(entry) { return run('readwrite', function (s) { s.put(entry); }); }
  function remove(id) { return run('readwrite', function (s) { s.delete(id); }); }
  function all(url) {
    return run('readonly', function (s) { return s.getAll(); }).then(function (rows) {
      return (rows || []).filter(function (e) { return !url || e.url === url; })
        .sort(function (a, b) { return a.saved_at < b.saved_at ? -1 : 1; });
    });
  }

  // One entry to the server: 'sent', 'offline' (no answer: try later), 'signed-out' (401/403:
  // log in again, then it is sent), 'later' (the server could not take it now) or 'refused'
  // (the server will not take it as it is; the entry keeps the server's reason).
  function sendOne(entry, token) {
    return root.fetch(entry.url, {
      method: 'POST',
      credentials: 'same-origin',
      headers: {
        'Content-Type': 'application/json',
        'Accept': 'application/json',
        'X-CSRFToken': token || entry.csrf || ''
      },
      body: JSON.stringify(entry.body)
    }).then(function (response) {
      if (response.status === 200 || response.status === 201) {
        return remove(entry.client_id).then(function () { return 'sent'; });
      }
      if (response.status === 401 || response.status === 403) { return 'signed-out'; }
      if (response.status >= 500 || response.status === 429 || response.status === 413) { return 'later'; }
      return response.json().catch(function () { return {}; }).then(function (answer) {
        entry.problem = answer.detail || 'The server did not accept it.';
        return put(entry).then(function () { return 'refused'; });
      });
    }, function () { return 'offline'; });
  }

  let sending = null;
  // Send every waiting entry (of ``url``, or all), oldest first; stops at the first 'offline'.
  // Resolves to the last outcome ('' when nothing was waiting). One sender at a time across the
  // page and the service worker (a Web Lock where the browser has them), so an entry one has
  // just sent is not sent again by the other.
  function sendAll(token, url) {
    if (sending) { return sending; }
    const locks = root.navigator && root.navigator.locks;
    sending = (locks
      ? locks.request('lowdose-checkins', function () { return sendWaiting(token, url); })
      : sendWaiting(token, url)
    ).finally(function () { sending = null; });
    return sending;
  }

  function sendWaiting(token, url) {
    return all(url).then(function (entries) {
      let chain = Promise.resolve('');
      entries.filter(function (e) { return !e.problem; }).forEach(function (entry) {
        chain = chain.then(function (last) {
          return last === 'offline' || last === 'signed-out' ? last : sendOne(entry, token);
        });
      });
      return chain;
    });
  }

  root.LowdoseQueue = {put: put, remove: remove, all: all, sendAll: sendAll};
}(self));
