// "How LDN works": progressive enhancement of a page that works without JavaScript.
// Without this file the form submits ?dose=&time=&compare= and the server renders everything.
// With it: the dose slider appears (kept in step with the number box), and any change fetches
// the same page URL, swaps in its #pk-live block (reading, charts, table or the error message)
// and draws the charts with vendored vega-embed through Vega's expression interpreter (the
// Content-Security-Policy forbids eval and inline scripts).
(function () {
  "use strict";
  var form = document.getElementById("pk-form");
  var live = document.getElementById("pk-live");
  if (!form || !live) { return; }
  var slider = document.getElementById("dose-slider");
  var number = document.getElementById("dose-number");
  var status = document.getElementById("pk-status");
  var timer = null;
  var pending = null;

  function render(root) {
    root.querySelectorAll("[data-vega-spec]").forEach(function (el) {
      var source = document.getElementById(el.dataset.vegaSpec);
      if (!source) { return; }
      window.vegaEmbed(el, JSON.parse(source.textContent), {
        actions: false,
        renderer: "svg",
        ast: true,
        expr: window.vegaExpressionInterpreter,
        defaultStyle: false
      }).then(function () {
        el.dataset.rendered = "true";
      }).catch(function (error) {
        el.textContent = "The chart could not be drawn: " + error.message;
        el.dataset.rendered = "error";
      });
    });
  }

  function currentUrl() {
    var params = new URLSearchParams(new FormData(form));
    return form.getAttribute("action") + "?" + params.toString();
  }

  function announce() {
    // Screen readers hear the new headline (or the error), not the whole swapped page.
    if (!status) { return; }
    var first = live.querySelector("#pk-errors, #pk-reading p[data-kind=model]");
    status.textContent = first ? first.textContent : "";
  }

  function showInvalid() {
    // The browser already knows the box is empty or out of range: say what to enter (the
    // server's own message, from data-invalid) without a round trip that would only fail.
    var box = document.createElement("div");
    box.className = "error";
    box.id = "pk-errors";
    box.setAttribute("role", "alert");
    box.textContent = number.dataset.invalid;
    live.replaceChildren(box);
    announce();
  }

  function update() {
    if (number && !number.checkValidity()) {
      if (pending) { pending.abort(); }
      showInvalid();
      return;
    }
    var url = currentUrl();
    if (pending) { pending.abort(); }
    pending = new AbortController();
    live.setAttribute("aria-busy", "true");
    fetch(url, { signal: pending.signal, headers: { Accept: "text/html" }, credentials: "same-origin" })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.getElementById("pk-live");
        if (!fresh) { return; }
        live.innerHTML = fresh.innerHTML;
        live.removeAttribute("aria-busy");
        render(live);
        announce();
        window.history.replaceState(null, "", url);
      })
      .catch(function (error) {
        if (error.name !== "AbortError") {
          live.removeAttribute("aria-busy");
          form.submit();  // fall back to the plain form
        }
      });
  }

  function later() {
    window.clearTimeout(timer);
    timer = window.setTimeout(update, 250);
  }

  if (slider && number) {
    slider.hidden = false;
    slider.addEventListener("input", function () { number.value = slider.value; later(); });
    number.addEventListener("input", function () {
      if (number.value !== "" && !isNaN(Number(number.value))) { slider.value = number.value; }
      later();
    });
  }
  form.addEventListener("change", function (event) {
    if (event.target !== number && event.target !== slider) { later(); }
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    window.clearTimeout(timer);
    update();
  });
  render(live);
})();
