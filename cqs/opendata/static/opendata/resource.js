// While a table is being validated, ask for its progress every 2 s and reload the page when it
// is done (the page itself says so and offers a plain "reload" link when scripts do not run).
(function () {
  var section = document.getElementById("validation");
  if (!section || section.dataset.running !== "1") return;
  var url = section.dataset.statusUrl;
  var status = section.querySelector("[data-testid=validation-status]");
  var percent = section.querySelector("[data-testid=validation-progress]");
  var bar = section.querySelector("progress");
  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (s) {
        if (!s) return setTimeout(poll, 5000);
        if (s.finished) { window.location.reload(); return; }
        status.textContent = s.status_label;
        if (percent) percent.textContent = s.progress + "%";
        if (bar) bar.value = s.progress;
        setTimeout(poll, 2000);
      })
      .catch(function () { setTimeout(poll, 5000); });
  }
  setTimeout(poll, 2000);
})();
