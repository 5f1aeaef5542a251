// The Content-Security-Policy allows no inline script, so pages carry data-* attributes and this file
// gives them their behaviour.

// data-confirm on a form or its submit button: ask before sending (deleting, resetting…).
document.addEventListener("submit", function (event) {
  var button = event.submitter;
  var message = (button && button.dataset.confirm) || event.target.dataset.confirm;
  if (message && !window.confirm(message)) {
    event.preventDefault();
  }
});

document.addEventListener("click", function (event) {
  var target = event.target.closest("[data-print], [data-select-on-click], [data-history-back], [data-remove-on-click]");
  if (!target) {
    return;
  }
  if (target.matches("[data-print]")) {
    window.print();
  } else if (target.matches("[data-select-on-click]")) {
    target.select();
  } else if (target.matches("[data-history-back]") && window.history.length > 1) {
    // The link's own address is the way back without JavaScript or history.
    event.preventDefault();
    window.history.back();
  } else if (target.matches("[data-remove-on-click]")) {
    // After htmx has sent the request the button stands for: it is not to be pressed twice.
    setTimeout(function () { target.remove(); }, 0);
  }
});

// A search form marked data-no-personal-numbers never sends a whole ID or mobile number as the person
// types it (it would sit in the web server's access log): it sends number_typed=1 instead, and the page
// answers that such numbers are looked up elsewhere. The server refuses to search for them anyway.
var PERSONAL_NUMBER = /^(\d{17}[\dXx]|\d{15}|1[3-9]\d{9})$/;
document.addEventListener("htmx:configRequest", function (event) {
  if (!event.detail.elt.closest("form[data-no-personal-numbers]")) {
    return;
  }
  var params = event.detail.parameters;
  if (PERSONAL_NUMBER.test(String(params.q || "").replace(/[\s-]/g, ""))) {
    params.q = "";
    params.number_typed = "1";
  }
});

// A select marked data-autosubmit sends its form when it changes.
document.addEventListener("change", function (event) {
  if (event.target.matches("select[data-autosubmit]")) {
    event.target.form.requestSubmit();
  }
});

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

// A password checklist (data-password-checklist) ticks its rules while the member types in the fields
// marked data-password-new and data-password-confirm: length, character classes, both entries equal.
// It only helps: the server checks the real password rules.
function lvzhiPasswordChecklist(list) {
  var form = list.closest("form");
  var first = form.querySelector("[data-password-new]");
  var second = form.querySelector("[data-password-confirm]");
  var minLength = parseInt(list.dataset.minLength, 10) || 8;
  var minClasses = parseInt(list.dataset.minClasses, 10) || 3;
  function update() {
    var value = first.value;
    var classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter(function (re) { return re.test(value); }).length;
    var met = {
      length: value.length >= minLength,
      classes: classes >= minClasses,
      match: value.length > 0 && value === second.value,
    };
    list.querySelectorAll("[data-rule]").forEach(function (item) {
      var ok = Boolean(met[item.dataset.rule]);
      item.classList.toggle("text-success", ok);
      item.classList.toggle("fw-bold", ok);
      item.querySelector("[data-mark]").textContent = ok ? "✓" : "○";
      item.dataset.met = ok ? "true" : "false";
    });
  }
  first.addEventListener("input", update);
  second.addEventListener("input", update);
  update();
}
document.querySelectorAll("[data-password-checklist]").forEach(lvzhiPasswordChecklist);

// A checkbox marked data-show-passwords shows the password fields of its form in clear text (older
// members check what they typed).
document.addEventListener("change", function (event) {
  if (event.target.matches("input[data-show-passwords]")) {
    event.target.form.querySelectorAll("[data-password-new], [data-password-confirm]").forEach(function (field) {
      field.type = event.target.checked ? "text" : "password";
    });
  }
});

// A button marked data-check-all="<selector>" ticks every checkbox the selector finds (the manage page's
// "select all not checked in": only rows not checked in have a checkbox). Without JavaScript the boxes
// are ticked one by one.
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-check-all]");
  if (button) {
    document.querySelectorAll(button.dataset.checkAll).forEach(function (box) { box.checked = true; });
  }
});

// The member picker of the account page (data-member-picker): a file found by the search box
// (data-member-pick, listed by accounts:user_member_search) goes into the form's hidden member field when
// clicked and is shown as chosen until the form is saved; Enter in the search box searches rather than
// saving the form.
document.addEventListener("click", function (event) {
  var pick = event.target.closest("[data-member-pick]");
  var picker = pick && pick.closest("[data-member-picker]");
  if (!picker) {
    return;
  }
  picker.querySelector("input[name=member]").value = pick.dataset.memberPick;
  var chosen = picker.querySelector("[data-member-chosen]");
  chosen.textContent = pick.dataset.memberLabel;
  var note = document.createElement("span");
  note.className = "text-danger small ms-2";
  note.textContent = chosen.dataset.pending;
  chosen.appendChild(note);
  var unlink = picker.querySelector("input[name=unlink_member]");
  if (unlink) {
    unlink.checked = false;
  }
  // The search is done: its answer and the text that found it go.
  picker.querySelector("[data-member-results]").replaceChildren();
  picker.querySelector("[data-member-search]").value = "";
});
document.addEventListener("keydown", function (event) {
  if (event.key === "Enter" && event.target.matches("[data-member-search]")) {
    event.preventDefault();
    event.target.dispatchEvent(new Event("search"));
  }
});

// A select marked data-fill="<selectors>" writes its chosen option's data-text into the fields the
// selectors find (a reply template into the moderator's reply boxes). Without JavaScript the select's
// own GET form asks the server for the page with the reply filled in.
document.addEventListener("change", function (event) {
  var select = event.target;
  if (!select.matches("select[data-fill]")) {
    return;
  }
  var option = select.options[select.selectedIndex];
  if (!option || !option.value) {
    return;
  }
  document.querySelectorAll(select.dataset.fill).forEach(function (field) {
    field.value = option.dataset.text || "";
  });
});
