// The check-in page offline. Without a connection, "Save check-in" keeps the check-in on this
// device (offline-queue.js) instead of posting the form, and the page lists it under "Waiting to
// send". When the connection returns (the online event, Background Sync in the service worker,
// or the next page a patient opens) the waiting check-ins go to the check-in API; each leaves
// the list once the server has it. Online, and with scripts off, the form posts as always.
(function () {
  'use strict';
  const Queue = self.LowdoseQueue;
  const api = document.body.dataset.checkinApi; // set on a patient's pages
  if (!Queue || !api || !self.indexedDB) {
    return;
  }
  const form = document.getElementById('checkin-form');
  const panel = document.getElementById('offline-queue');
  const status = document.getElementById('offline-status');

  function token() {
    const field = document.querySelector('input[name=csrfmiddlewaretoken]');
    return field ? field.value : '';
  }

  function say(text, isError) {
    if (!status) { return; }
    status.textContent = text;
    status.className = isError ? 'error' : 'flash';
    status.hidden = !text;
  }

  function dayWords(entry) {
    const day = entry.body.day ? new Date(entry.body.day + 'T12:00:00') : new Date(entry.saved_at);
    return day.toLocaleDateString(undefined, {weekday: 'long', day: 'numeric', month: 'long'});
  }

  function render() {
    if (!panel) { return Promise.resolve(); }
    return Queue.all(api).then(function (entries) {
      panel.hidden = entries.length === 0;
      panel.querySelector('.count').textContent = String(entries.length);
      const list = panel.querySelector('ul');
      list.replaceChildren();
      entries.forEach(function (entry) {
        const item = document.createElement('li');
        item.dataset.clientId = entry.client_id;
        const saved = new Date(entry.saved_at);
        item.textContent = dayWords(entry) + ' (saved on this device at ' +
          saved.toLocaleTimeString(undefined, {hour: '2-digit', minute: '2-digit'}) + ')';
        if (entry.problem) {
          const why = document.createElement('p');
          why.className = 'field-error';
          why.textContent = 'Not accepted: ' + entry.problem + ' Remove it and check in again.';
          const drop = document.createElement('button');
          drop.type = 'button';
          drop.className = 'link';
          drop.textContent = 'Remove';
          drop.addEventListener('click', function () { Queue.remove(entry.client_id).then(render); });
          item.append(why, drop);
        }
        list.append(item);
      });
    });
  }

  function flush() {
    if (navigator.onLine === false) { return Promise.resolve(); }
    return Queue.sendAll(token(), api).then(function (outcome) {
      if (outcome === 'signed-out') {
        say('Your check-ins saved on this device are not sent yet: log in again to send them.', true);
      } else if (outcome === 'sent') {
        say('Your check-ins saved on this device have been sent.', false);
      }
      return render();
    }).catch(function () { return render(); });
  }

  function checked(name) {
    const input = form.querySelector('input[name="' + name + '"]:checked');
    return input ? input.value : '';
  }

  function value(name) {
    const input = form.querySelector('[name="' + name + '"]');
    return input ? input.value.trim() : '';
  }

  function hhmm(moment) {
    return String(moment.getHours()).padStart(2, '0') + ':' + String(moment.getMinutes()).padStart(2, '0');
  }

  // The form's answers as the API's body; a question left unanswered is named instead.
  function entryFromForm() {
    const now = new Date();
    const body = {client_id: self.crypto.randomUUID(), recorded_at: now.toISOString()};
    const missing = [];
    form.querySelectorAll('fieldset.scale').forEach(function (set) {
      const name = set.id.replace('field-', '');
      const answer = checked(name);
      if (answer === '') { missing.push(set.querySelector('legend').textContent.trim()); }
      body[name] = Number(answer);
    });
    if (form.querySelector('input[name=day]')) {
      body.day = checked('day') || null;
      if (!body.day) { missing.push('Which day'); }
    }
    body.dose_status = checked('dose_status') || null;
    if (!body.dose_status) { missing.push('Naltrexone today'); }
    if (value('kit')) { body.kit = value('kit'); }
    if (body.dose_status === 'taken') {
      if (form.querySelector('input[name=dose_mg]')) {
        body.dose_mg = value('dose_mg') || null;
        if (!body.dose_mg) { missing.push('Dose (mg)'); }
      }
      const when = checked('dose_time_choice');
      body.dose_time = when === 'now' ? hhmm(now) : (value('dose_time') || null);
      if (!body.dose_time) { missing.push('Time taken'); }
    }
    body.side_effects = [];
    form.querySelectorAll('select[name^="se_"]').forEach(function (select) {
      if (select.value !== 'none') {
        const effect = {name: select.name.slice(3), severity: select.value};
        if (effect.name === 'other') { effect.detail = value('se_other_detail'); }
        body.side_effects.push(effect);
      }
    });
    body.note = value('note');
    return {missing: missing, entry: {
      client_id: body.client_id, url: api, body: body, csrf: token(), saved_at: now.toISOString()
    }};
  }

  if (form && form.querySelector('input[name=client_id]')) {
    form.addEventListener('submit', function (event) {
      if (navigator.onLine !== false) { return; } // online: the form posts as always
      event.preventDefault();
      const made = entryFromForm();
      if (made.missing.length) {
        say('Not saved. Answer these, then save again: ' + made.missing.join(', ') + '.', true);
        return;
      }
      Queue.put(made.entry).then(function () {
        form.reset();
        form.querySelectorAll('input[name=dose_status]').forEach(function (r) {
          r.dispatchEvent(new Event('change'));
        });
        say('Saved on this device. It will be sent when you are back online.', false);
        if (navigator.serviceWorker) {
          navigator.serviceWorker.ready.then(function (registration) {
            return registration.sync && registration.sync.register('lowdose-checkins');
          }).catch(function () {});
        }
        return render();
      }).then(function () {
        (panel || status).scrollIntoView({block: 'nearest'});
      }, function () {
        say('Not saved: this browser would not keep it. Check in again when you are online.', true);
      });
    });
  }

  self.addEventListener('online', flush);
  if (navigator.serviceWorker) {
    navigator.serviceWorker.addEventListener('message', function (event) {
      if (event.data && event.data.type === 'queue-changed') { render(); }
    });
  }
  render().then(flush);
}());
