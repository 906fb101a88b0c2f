// Start the vendored Swagger UI on /api/v1/docs with the settings the server put in a
// <script type="application/json"> block (Django's json_script): no inline code, so the page's
// Content-Security-Policy needs neither 'unsafe-inline' scripts nor a CDN.
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("swagger-settings").textContent);
  config.dom_id = "#swagger-ui";
  config.presets = [window.SwaggerUIBundle.presets.apis];
  window.lowdoseSwaggerUi = window.SwaggerUIBundle(config);
}());
