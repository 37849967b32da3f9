// Polls the portal (never Okta) while a push is pending, then moves on.
// The portal answers at once: a due Okta poll is made in the background, so an approval
// shows one round (2 s) after the poll that found it.
// The page works without this script: a refresh or the Continue button does the same.
(function () {
  "use strict";
  var status = document.getElementById("wait-status");
  // Under a base path the page names its URLs (data-status-url, data-signin-url).
  var statusUrl = (status && status.getAttribute("data-status-url")) || "/signin/wait/status";
  var signinUrl = (status && status.getAttribute("data-signin-url")) || "/signin";
  // The page carries its lines in the visitor's language (data-approved, …).
  function line(name) { return (status && status.getAttribute("data-" + name)) || ""; }
  var messages = {
    approved: line("approved"),
    denied: line("denied"),
    expired: line("expired")
  };
  var delay = 2000;
  function poll() {
    fetch(statusUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : { state: "pending" }; })
      .then(function (body) {
        if (body.state && body.state !== "pending") {
          if (status) { status.textContent = messages[body.state] || line("continuing"); }
          window.location.assign(body.redirect || signinUrl);
          return;
        }
        delay = 2000;
        window.setTimeout(poll, delay);
      })
      .catch(function () {
        delay = Math.min(delay * 2, 15000);
        window.setTimeout(poll, delay);
      });
  }
  window.setTimeout(poll, delay);
})();
