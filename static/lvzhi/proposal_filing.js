// Proposal write page (templates/proposals/filing/form.html): the live character counter of case,
// analysis and suggestions together, and the member pickers (co-signers, a collective proposal's main
// authors). No inline script (CSP): the page carries data-* attributes.

// The counter (data-count-for="group", data-limit) adds up the textareas marked data-count-group="group"
// and shows the sum in its data-ok or data-over wording ({n}, {limit}, {over}), red over the limit.
function lvzhiProposalCount(counter) {
  var limit = parseInt(counter.dataset.limit, 10);
  var n = 0;
  document.querySelectorAll("textarea[data-count-group='" + counter.dataset.countFor + "']").forEach(function (area) {
    // Count characters as people do (a Chinese character is one), line breaks as one.
    n += Array.from(area.value.replace(/\r\n/g, "\n")).length;
  });
  var over = n > limit;
  counter.textContent = (over ? counter.dataset.over : counter.dataset.ok)
    .replace("{n}", n).replace("{limit}", limit).replace("{over}", n - limit);
  counter.classList.toggle("text-danger", over);
  counter.classList.toggle("fw-bold", over);
  counter.classList.toggle("text-muted", !over);
}
document.querySelectorAll("[data-count-for]").forEach(function (counter) {
  lvzhiProposalCount(counter);
  document.querySelectorAll("textarea[data-count-group='" + counter.dataset.countFor + "']").forEach(function (area) {
    area.addEventListener("input", function () { lvzhiProposalCount(counter); });
  });
});

// A member picker (data-member-picker data-field="co_signers"): a member found by its search box
// (data-member-pick, listed by proposals:member_search) joins the chosen list with a hidden input named
// after data-field; the ✕ button (data-member-remove) takes them off again.
document.addEventListener("click", function (event) {
  var pick = event.target.closest("[data-member-pick]");
  var remove = event.target.closest("[data-member-remove]");
  var picker = (pick || remove) && (pick || remove).closest("[data-member-picker]");
  if (!picker) {
    return;
  }
  var chosen = picker.querySelector("[data-member-chosen]");
  if (pick) {
    var id = pick.dataset.memberPick;
    if (!chosen.querySelector("input[value='" + id + "']")) {
      var item = document.createElement("li");
      item.className = "list-inline-item mb-2";
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = picker.dataset.field;
      input.value = id;
      var label = document.createElement("span");
      label.className = "badge text-bg-light border fs-6 fw-normal";
      label.textContent = pick.dataset.memberLabel + " ";
      var button = document.createElement("button");
      button.type = "button";
      button.className = "btn btn-sm btn-link p-0 text-danger";
      button.dataset.memberRemove = "";
      button.setAttribute("aria-label", picker.dataset.removeLabel + " " + pick.dataset.memberLabel);
      button.textContent = "✕";
      label.appendChild(button);
      item.appendChild(input);
      item.appendChild(label);
      chosen.appendChild(item);
    }
    picker.querySelector("[data-member-results]").replaceChildren();
    picker.querySelector("[data-member-search]").value = "";
  } else {
    remove.closest("li").remove();
  }
});
// Enter in a search box searches now instead of sending the whole form.
document.addEventListener("keydown", function (event) {
  if (event.key === "Enter" && event.target.matches("[data-member-search]")) {
    event.preventDefault();
    event.target.dispatchEvent(new Event("search"));
  }
});
