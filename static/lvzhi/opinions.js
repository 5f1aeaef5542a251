// 社情民意 write page (templates/opinions/report_form.html): the body's character counter, the autosave
// of the draft and the co-author picker. No inline script (CSP): the page carries data-* attributes.

// A textarea marked data-char-limit="1500" shows its length in the element data-char-counter names
// (its id), red over the limit. The wording comes from the counter's data-ok and data-over, with {n},
// {limit} and {over} filled in.
function lvzhiCount(textarea) {
  var counter = document.getElementById(textarea.dataset.charCounter);
  if (!counter) {
    return;
  }
  var limit = parseInt(textarea.dataset.charLimit, 10);
  // Count characters as people do (a Chinese character is one), not UTF-16 units.
  var n = Array.from(textarea.value).length;
  var over = n > limit;
  counter.textContent = (over ? counter.dataset.over : counter.dataset.ok)
    .replace("{n}", n).replace("{limit}", limit).replace("{over}", n - limit);
  counter.classList.toggle("text-danger", over);
  counter.classList.toggle("fw-bold", over);
  counter.classList.toggle("text-muted", !over);
}
document.querySelectorAll("textarea[data-char-limit]").forEach(function (textarea) {
  lvzhiCount(textarea);
  textarea.addEventListener("input", function () { lvzhiCount(textarea); });
});

// A form marked data-autosave-url posts itself there every 20 seconds when something changed, and
// when a field is left after a change. The answer (JSON) gives the new version, which the next save
// sends, so that two tabs cannot overwrite each other: the second gets 409 and a message, and stops.
var AUTOSAVE_EVERY_MS = 20000;
document.querySelectorAll("form[data-autosave-url]").forEach(function (form) {
  var status = form.querySelector("[data-autosave-status]");
  var dirty = false;
  var busy = false;
  var stopped = false;

  function show(text, bad) {
    if (status) {
      status.textContent = text;
      status.classList.toggle("text-danger", !!bad);
      status.classList.toggle("text-success", !bad);
    }
  }

  function save() {
    var title = form.querySelector("[name=title]");
    if (!dirty || busy || stopped || (title && !title.value.trim())) {
      return;
    }
    busy = true;
    dirty = false;
    var data = new FormData(form);
    fetch(form.dataset.autosaveUrl, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: {"X-CSRFToken": data.get("csrfmiddlewaretoken"), "X-Requested-With": "fetch"}
    }).then(function (response) {
      return response.json().then(function (answer) { return {ok: response.ok, status: response.status, answer: answer}; });
    }).then(function (result) {
      busy = false;
      if (!result.ok) {
        show(result.answer.error || form.dataset.autosaveFailed, true);
        if (result.status === 409) {
          stopped = true;
        } else {
          dirty = true;
        }
        return;
      }
      form.querySelector("[name=version]").value = result.answer.version;
      // Other forms of the page (submit) send the version too.
      document.querySelectorAll("[data-version-mirror]").forEach(function (input) {
        input.value = result.answer.version;
      });
      show(result.answer.saved, false);
      if (form.dataset.autosaveUrl !== result.answer.autosave_url) {
        // The first save made the draft: from now on the page is the draft's own.
        form.dataset.autosaveUrl = result.answer.autosave_url;
        form.action = result.answer.action_url;
        window.history.replaceState(null, "", result.answer.edit_url);
      }
      // Changed again while this save was on its way (a co-author picked just as the search box was
      // left, which saved first): save that too now, not only at the next tick.
      if (dirty) {
        save();
      }
    }).catch(function () {
      busy = false;
      dirty = true;
      show(form.dataset.autosaveFailed, true);
    });
  }

  form.addEventListener("input", function () { dirty = true; });
  form.addEventListener("change", function () { dirty = true; save(); });
  form.addEventListener("lvzhi:co-authors", function () { dirty = true; save(); });
  // The explicit save and submit go as ordinary posts: no autosave may race them. Listened on the
  // document after lvzhi.js's data-confirm, so that a submission the author cancels stops nothing.
  document.addEventListener("submit", function (event) {
    if (event.target === form && !event.defaultPrevented) { stopped = true; }
  });
  window.setInterval(save, AUTOSAVE_EVERY_MS);
});

// The co-author picker (data-co-author-picker): a member found by the search box (data-co-author-pick,
// listed by opinions:co_author_search) joins the chosen list with a hidden co_authors input; the ✕
// button (data-co-author-remove) takes them off again.
document.addEventListener("click", function (event) {
  var pick = event.target.closest("[data-co-author-pick]");
  var remove = event.target.closest("[data-co-author-remove]");
  var picker = (pick || remove) && (pick || remove).closest("[data-co-author-picker]");
  if (!picker) {
    return;
  }
  var chosen = picker.querySelector("[data-co-author-chosen]");
  if (pick) {
    var id = pick.dataset.coAuthorPick;
    if (!chosen.querySelector("input[value='" + id + "']")) {
      var item = document.createElement("li");
      item.className = "list-inline-item mb-2";
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = "co_authors";
      input.value = id;
      var label = document.createElement("span");
      label.className = "badge text-bg-light border fs-6 fw-normal";
      label.textContent = pick.dataset.coAuthorLabel + " ";
      var button = document.createElement("button");
      button.type = "button";
      button.className = "btn btn-sm btn-link p-0 text-danger";
      button.dataset.coAuthorRemove = "";
      button.setAttribute("aria-label", picker.dataset.removeLabel + " " + pick.dataset.coAuthorLabel);
      button.textContent = "✕";
      label.appendChild(button);
      item.appendChild(input);
      item.appendChild(label);
      chosen.appendChild(item);
    }
    picker.querySelector("[data-co-author-results]").replaceChildren();
    picker.querySelector("[data-co-author-search]").value = "";
  } else {
    remove.closest("li").remove();
  }
  picker.closest("form").dispatchEvent(new Event("lvzhi:co-authors"));
});
document.addEventListener("keydown", function (event) {
  if (event.key === "Enter" && event.target.matches("[data-co-author-search]")) {
    event.preventDefault();
    event.target.dispatchEvent(new Event("search"));
  }
});
