// After htmx swaps in new content, move keyboard focus to the element the server
// marked with data-autofocus (the answer just revealed, the new stage's heading
// or an error), so screen reader and keyboard users land on what changed instead
// of on <body>. The mark is removed once used: an old mark left
// behind in content the swap kept would win over the next one.
document.addEventListener("htmx:after:swap", function () {
  var target = document.querySelector("[data-autofocus]");
  if (target) {
    target.removeAttribute("data-autofocus");
    target.focus({ preventScroll: false });
  }
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
