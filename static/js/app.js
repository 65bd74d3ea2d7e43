// After htmx swaps in new content, move keyboard focus to the element the server
// marked with data-autofocus (the newest transcript entry or an error), so screen
// reader and keyboard users land on what changed instead of on <body>.
document.addEventListener("htmx:after:swap", function (event) {
  var root = event.target && event.target.isConnected ? event.target : document;
  var target = root.querySelector("[data-autofocus]") || document.querySelector("[data-autofocus]");
  if (target) {
    target.focus({ preventScroll: false });
  }
});
