// After htmx swaps in new content, move keyboard focus to the element the server
// marked with data-autofocus (the answer just revealed, the new stage's heading
// or an error), so screen reader and keyboard users land on what changed instead
// of on <body>.
document.addEventListener("htmx:after:swap", function (event) {
  // The first mark wins (a boosted Start's message before its page's heading); every
  // mark goes once used, or one left behind would outrank the next swap's.
  var marks = document.querySelectorAll("[data-autofocus]");
  marks.forEach(function (mark) { mark.removeAttribute("data-autofocus"); });
  if (marks.length) {
    marks[0].focus({ preventScroll: false });
    return;
  }
  // The focused element went with the swap and has no twin in the new content (the
  // dashboard's "Next" link on the last page): focus the swapped region instead of
  // dropping the keyboard user back at the top of the page.
  if (document.activeElement && document.activeElement !== document.body) return;
  var swapped = event.detail && event.detail.ctx && event.detail.ctx.target;
  var region = swapped && swapped.id && document.getElementById(swapped.id);
  if (region) {
    if (!region.hasAttribute("tabindex")) region.setAttribute("tabindex", "-1");
    region.focus({ preventScroll: true });
  }
});

// A filtered list (the library's cases) swapped in: its count goes to the live region
// that stayed on the page (#results-status); the list's own copy came in with it.
document.addEventListener("htmx:after:swap", function () {
  var live = document.getElementById("results-status");
  var count = live && document.querySelector("#results [data-announce]");
  if (count) live.textContent = count.textContent.replace(/\s+/g, " ").trim();
});

// "Copy" next to a read-only field (the cohort's join link). Shown only where the
// clipboard API exists (a secure context); the result is announced in #copy-status.
document.addEventListener("DOMContentLoaded", function () {
  if (!navigator.clipboard) return;
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var field = document.querySelector(button.dataset.copy);
      var status = document.getElementById("copy-status");
      navigator.clipboard.writeText(field.value).then(
        function () { if (status) status.textContent = "Link copied."; },
        function () { field.select(); if (status) status.textContent = "Press Ctrl+C (or Cmd+C) to copy the selected link."; }
      );
    });
  });
});

// A request that never got an answer (offline, a dropped connection) fails inside
// htmx with only a console line: the spinner stops and the buttons come back, and
// the learner cannot tell that their choice was not saved. Say so, at the bottom of
// the screen where the panel is, and clear it when the next request starts.
function showRequestFailed(text) {
  var box = document.getElementById("request-failed");
  if (!box) return;
  box.querySelector("span").textContent = text;
  box.hidden = false;
}
document.addEventListener("htmx:error", function () {
  showRequestFailed("Could not reach the server, so nothing was recorded. Check your connection and try again.");
});

// htmx 4 swaps an answer whatever its status. Ours are 200 or 422 (a form with its
// errors), and trainer/middleware.py turns Django's own failures into a reload. An
// error page from in front of Django (a proxy's 502 while a worker restarts, a 504
// timeout) would replace the stage panel and its options with "Bad Gateway": keep
// the page as it is and say what to do. The request may have been stored before the
// proxy gave up, so the learner reloads to see.
document.addEventListener("htmx:before:response", function (event) {
  var response = event.detail.ctx.response;
  if (response.status < 400 || response.status === 422) return;
  var headers = response.headers;
  if (headers.get("HX-Refresh") || headers.get("HX-Redirect") || headers.get("HX-Location")) return;
  event.preventDefault();
  var what = "The server could not answer (error " + response.status + "). ";
  var method = (event.detail.ctx.request.method || "GET").toUpperCase();
  showRequestFailed(what + (method === "GET" ? "Nothing changed; try again in a moment." : "Reload the page to see what was saved, then try again."));
});
// The button that sent a failed request was disabled while it ran, and a disabled
// button drops keyboard focus to <body>: put the learner back on it, to try again.
// (htmx re-enables it just after this event.)
document.addEventListener("htmx:finally:request", function (event) {
  var box = document.getElementById("request-failed");
  var button = event.detail.ctx.request && event.detail.ctx.request.submitter;
  if (!box || box.hidden || !button) return;
  setTimeout(function () {
    if (button.isConnected && (!document.activeElement || document.activeElement === document.body)) button.focus();
  }, 0);
});
document.addEventListener("click", function (event) {
  if (event.target.matches("#request-failed .btn-close")) document.getElementById("request-failed").hidden = true;
});
document.addEventListener("htmx:before:request", function () {
  var box = document.getElementById("request-failed");
  if (box) box.hidden = true;
});

// A plain form pressed twice (a double click, or again while a slow answer is on its
// way) sent two requests, and the browser shows the second answer: "Page not found"
// after a second Remove, "you already teach a cohort with this name" after a second
// Create. Send a plain form once while its page is being replaced. htmx's forms (the
// choice buttons, boosted Starts) are left to htmx, which disables their buttons. The
// mark lapses after a while (the learner may have stopped the load and want to press
// again) and when Back shows the page from the browser's cache.
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (event.defaultPrevented || (form.getAttribute("method") || "").toLowerCase() !== "post") return;
  if (form.closest("[hx-boost]") || form.hasAttribute("hx-post")) return;
  if (form.dataset.submitted) {
    event.preventDefault();
    return;
  }
  form.dataset.submitted = "1";
  setTimeout(function () { delete form.dataset.submitted; }, 10000);
});
window.addEventListener("pageshow", function () {
  document.querySelectorAll("form[data-submitted]").forEach(function (form) { delete form.dataset.submitted; });
});
