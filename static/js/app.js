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
