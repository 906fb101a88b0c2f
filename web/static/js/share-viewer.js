// The share-link viewer (docs/sharing.md): reads the SMART Health Link from the URL fragment
// (never sent to the server), asks the manifest with the passcode, and decrypts the packet
// (a compact JWE, dir + A256GCM) with WebCrypto, in this browser only.
"use strict";
(function () {
  function b64urlBytes(text) {
    var b64 = text.replace(/-/g, "+").replace(/_/g, "/");
    while (b64.length % 4) b64 += "=";
    var raw = atob(b64);
    var out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
    return out;
  }

  function readLink() {
    var hash = decodeURIComponent(window.location.hash.replace(/^#/, ""));
    var at = hash.indexOf("shlink:/");
    if (at < 0) return null;
    try {
      var payload = JSON.parse(new TextDecoder().decode(b64urlBytes(hash.slice(at + 8))));
      if (typeof payload.url !== "string" || typeof payload.key !== "string") return null;
      return payload;
    } catch (e) {
      return null;
    }
  }

  async function decrypt(jwe, key) {
    var parts = jwe.split(".");
    if (parts.length !== 5) throw new Error("The report could not be read.");
    var header = JSON.parse(new TextDecoder().decode(b64urlBytes(parts[0])));
    if (header.alg !== "dir" || header.enc !== "A256GCM") throw new Error("The report is sealed in a way this page cannot open.");
    var iv = b64urlBytes(parts[2]);
    var body = b64urlBytes(parts[3]);
    var tag = b64urlBytes(parts[4]);
    var sealed = new Uint8Array(body.length + tag.length);
    sealed.set(body, 0);
    sealed.set(tag, body.length);
    var cryptoKey = await crypto.subtle.importKey("raw", b64urlBytes(key), { name: "AES-GCM" }, false, ["decrypt"]);
    var plain = await crypto.subtle.decrypt(
      { name: "AES-GCM", iv: iv, additionalData: new TextEncoder().encode(parts[0]), tagLength: 128 },
      cryptoKey,
      sealed
    );
    return new Blob([plain], { type: header.cty || "application/pdf" });
  }

  var link = readLink();
  var form = document.getElementById("shl-form");
  var error = document.getElementById("shl-error");
  if (!link) {
    document.getElementById("shl-missing").hidden = false;
    return;
  }
  if (link.label) document.getElementById("shl-label").textContent = link.label;
  if (link.exp && link.exp * 1000 < Date.now()) {
    error.textContent = "This link has expired. Ask the patient to share a new one.";
    error.hidden = false;
    return;
  }
  form.hidden = false;
  form.addEventListener("submit", async function (event) {
    event.preventDefault();
    error.hidden = true;
    var button = form.querySelector("button");
    button.disabled = true;
    try {
      var response = await fetch(link.url, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({
          recipient: document.getElementById("shl-recipient").value,
          passcode: document.getElementById("shl-passcode").value,
        }),
        credentials: "omit",
        cache: "no-store",
      });
      var answer = await response.json();
      if (!response.ok) throw new Error(answer.detail || "The report could not be opened: try again.");
      var file = (answer.files || []).find(function (f) { return f.embedded; });
      if (!file) throw new Error("The link holds no report. Ask the patient to share a new one.");
      var blob = await decrypt(file.embedded, link.key);
      var download = document.getElementById("shl-download");
      download.href = URL.createObjectURL(blob);
      form.hidden = true;
      document.getElementById("shl-result").hidden = false;
      download.focus();
    } catch (e) {
      error.textContent = e.message || "The report could not be opened: try again.";
      error.hidden = false;
    } finally {
      button.disabled = false;
    }
  });
})();
