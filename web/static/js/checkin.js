// The check-in form, enhanced: it works without this script (the server ignores a dose and a time
// sent with "Missed" or "No dose due"). With it, choosing either hides and clears the dose and the
// time; choosing "Taken" shows them again with the pre-filled dose; typing a time chooses "Earlier".
(function () {
  'use strict';
  const form = document.getElementById('checkin-form');
  const details = document.getElementById('taken-details');
  if (!form || !details) {
    return;
  }
  const dose = form.querySelector('input[name=dose_mg]');
  const time = form.querySelector('input[name=dose_time]');
  const earlier = form.querySelector('input[name=dose_time_choice][value=at]');

  function answer() {
    const chosen = form.querySelector('input[name=dose_status]:checked');
    return chosen ? chosen.value : '';
  }

  function update() {
    const taken = answer() === 'taken';
    details.hidden = !taken;
    if (!taken) {
      if (dose) { dose.value = ''; }
      if (time) { time.value = ''; }
      form.querySelectorAll('input[name=dose_time_choice]').forEach(function (c) { c.checked = false; });
    } else if (dose && !dose.value) {
      dose.value = dose.dataset.prefill || '';
    }
  }

  form.querySelectorAll('input[name=dose_status]').forEach(function (radio) {
    radio.addEventListener('change', update);
  });
  if (time && earlier) {
    time.addEventListener('input', function () { if (time.value) { earlier.checked = true; } });
  }
  update();
}());
