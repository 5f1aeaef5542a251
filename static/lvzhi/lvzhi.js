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

// A select marked data-switch shows only those fields of its form whose data-shown-for lists its value
// (the field's wrapper is hidden). Without JavaScript every field shows, and the server ignores the rest.
function lvzhiSwitchFields(select) {
  select.form.querySelectorAll("[data-shown-for]").forEach(function (field) {
    field.parentElement.hidden = field.dataset.shownFor.split(" ").indexOf(select.value) === -1;
  });
}
document.addEventListener("change", function (event) {
  if (event.target.matches("select[data-switch]")) {
    lvzhiSwitchFields(event.target);
  }
});
document.querySelectorAll("select[data-switch]").forEach(lvzhiSwitchFields);
