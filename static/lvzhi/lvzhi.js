// A second click on a submit button while the page is loading would send the form twice; the server
// refuses the repeat (one-time submission tokens), and this keeps people from trying.
document.addEventListener("submit", function (event) {
  var button = event.submitter;
  if (button && !event.defaultPrevented && !event.target.hasAttribute("hx-get")) {
    setTimeout(function () { button.disabled = true; }, 0);
  }
});
