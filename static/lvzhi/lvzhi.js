// A second click on a submit button while the page is loading would send the form twice; the server
// refuses the repeat (one-time submission tokens), and this keeps people from trying.
document.addEventListener("submit", function (event) {
  var button = event.submitter;
  var form = event.target;
  // A download leaves the page where it is: its button must stay usable for the next download.
  if (button && !event.defaultPrevented && !form.hasAttribute("hx-get") && !form.hasAttribute("data-download")) {
    setTimeout(function () { button.disabled = true; }, 0);
  }
});
