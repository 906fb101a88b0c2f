// Render every Vega-Lite specification on the page with vendored vega-embed.
// Specifications come from <script type="application/json"> blocks (Django's json_script), never
// from inline code, and run through Vega's expression interpreter so the page's
// Content-Security-Policy needs no 'unsafe-eval'.
(function () {
  "use strict";
  window.lowdoseViews = {};
  document.querySelectorAll("[data-vega-spec]").forEach(function (el) {
    var source = document.getElementById(el.dataset.vegaSpec);
    if (!source) { return; }
    var spec = JSON.parse(source.textContent);
    window.vegaEmbed(el, spec, {
      actions: false,
      renderer: "svg",
      ast: true,
      expr: window.vegaExpressionInterpreter,
      defaultStyle: false
    }).then(function (result) {
      window.lowdoseViews[el.id] = result.view;
      el.dataset.rendered = "true";
    }).catch(function (error) {
      el.textContent = "The chart could not be drawn: " + error.message;
      el.dataset.rendered = "error";
    });
  });
})();
