// "Notifications on this device": turns Web Push on or off for this browser. Turning it on asks
// the browser's permission, subscribes with the server's VAPID key and sends the subscription to
// POST /api/v1/me/push-subscriptions; turning it off removes it there and in the browser.
(function () {
  'use strict';
  const box = document.getElementById('device-notifications');
  if (!box) {
    return;
  }
  const key = box.dataset.key;
  const api = box.dataset.api;
  const state = box.querySelector('.state');
  const button = box.querySelector('button');
  const said = box.querySelector('.said');
  box.querySelector('.needs-script').hidden = true;

  function tell(text) { said.textContent = text; said.hidden = !text; }

  if (!key) {
    state.textContent = 'Notifications are not set up on this server. Ask your clinic.';
    return;
  }
  if (!('serviceWorker' in navigator) || !('PushManager' in self) || !('Notification' in self)) {
    state.textContent = 'This browser cannot show notifications from lowdose. On a phone, add lowdose to the home screen first.';
    return;
  }

  function token() {
    const field = document.querySelector('input[name=csrfmiddlewaretoken]');
    return field ? field.value : '';
  }

  function call(method, body) {
    return fetch(api, {
      method: method,
      credentials: 'same-origin',
      headers: {'Content-Type': 'application/json', 'Accept': 'application/json', 'X-CSRFToken': token()},
      body: JSON.stringify(body)
    });
  }

  function applicationKey() {
    const padded = key + '='.repeat((4 - key.length % 4) % 4);
    const raw = atob(padded.replace(/-/g, '+').replace(/_/g, '/'));
    return Uint8Array.from(raw, function (c) { return c.charCodeAt(0); });
  }

  function show(on) {
    state.textContent = on
      ? 'On: this device shows your reminders and messages from lowdose.'
      : 'Off: this device shows no notifications from lowdose.';
    button.textContent = on ? 'Turn off on this device' : 'Turn on on this device';
    button.dataset.on = on ? 'true' : 'false';
    button.hidden = false;
  }

  let registration = null;

  function turnOn() {
    return Notification.requestPermission().then(function (answer) {
      if (answer !== 'granted') {
        tell('Notifications are blocked for this site: allow them in the browser\'s site settings, then turn them on here.');
        return;
      }
      return registration.pushManager.subscribe({userVisibleOnly: true, applicationServerKey: applicationKey()})
        .then(function (subscription) { return call('POST', subscription.toJSON()); })
        .then(function (response) {
          if (!response.ok) { throw new Error(String(response.status)); }
          tell('');
          show(true);
        });
    });
  }

  function turnOff() {
    return registration.pushManager.getSubscription().then(function (subscription) {
      if (!subscription) { show(false); return; }
      return call('DELETE', {endpoint: subscription.endpoint}).then(function () {
        return subscription.unsubscribe();
      }).then(function () { tell(''); show(false); });
    });
  }

  button.addEventListener('click', function () {
    button.disabled = true;
    (button.dataset.on === 'true' ? turnOff() : turnOn()).catch(function () {
      tell('That did not work. Check the connection and try again.');
    }).finally(function () { button.disabled = false; });
  });

  navigator.serviceWorker.ready.then(function (ready) {
    registration = ready;
    return ready.pushManager.getSubscription();
  }).then(function (subscription) {
    show(Boolean(subscription));
    // Sent again on each visit (a repeat changes nothing): this browser reaches the person
    // signed in now, even if someone else turned notifications on in it before.
    if (subscription) { call('POST', subscription.toJSON()).catch(function () {}); }
  });
}());
