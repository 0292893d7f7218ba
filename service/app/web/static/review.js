/* tarjama review pages: optional enhancements. Every page works without this file. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  var POLL_INTERVAL_MS = 3000;
  var FINISHED = ["done", "failed", "cancelled"];
  var STATUS_ORDER = ["done", "failed", "cancelled", "running", "queued"];

  /* Side by side: hovering or focusing a sentence highlights its pair. */
  function pairOf(el) {
    return document.querySelectorAll(
      'table.pairs .s[data-p="' + el.dataset.p + '"][data-s="' + el.dataset.s + '"]'
    );
  }
  function clearHighlight() {
    document.querySelectorAll("table.pairs .s.hl").forEach(function (el) {
      el.classList.remove("hl");
    });
  }
  function highlight(event) {
    var sentence = event.target.closest && event.target.closest("table.pairs .s");
    if (!sentence) return;
    clearHighlight();
    pairOf(sentence).forEach(function (el) { el.classList.add("hl"); });
  }
  function unhighlight(event) {
    var sentence = event.target.closest && event.target.closest("table.pairs .s");
    if (sentence && sentence !== document.activeElement) clearHighlight();
  }

  /* Post-editing in place: the per-sentence forms, enhanced. */
  function openEditor(sentence) {
    if (sentence.hidden || !sentence.dataset.editUrl) return;
    var table = sentence.closest("table.pairs");
    var text = sentence.querySelector(".t");
    var editor = document.createElement("form");
    editor.className = "inline-editor";
    editor.setAttribute("aria-label", "Correct sentence " + (Number(sentence.dataset.s) + 1));
    var area = document.createElement("textarea");
    area.name = "en";
    area.rows = 3;
    area.maxLength = 5000;
    area.value = text.textContent;
    area.setAttribute("aria-label", "Corrected English sentence");
    var row = document.createElement("div");
    row.className = "row";
    var save = document.createElement("button");
    save.type = "submit";
    save.className = "primary";
    save.textContent = "Save";
    var cancel = document.createElement("button");
    cancel.type = "button";
    cancel.textContent = "Cancel";
    var hint = document.createElement("span");
    hint.className = "muted";
    hint.textContent = "Ctrl+Enter saves, Esc cancels";
    var message = document.createElement("p");
    message.className = "error";
    message.setAttribute("role", "alert");
    row.append(save, cancel, hint);
    editor.append(area, row, message);
    sentence.hidden = true;
    sentence.after(editor);
    area.focus();

    function close() {
      editor.remove();
      sentence.hidden = false;
      sentence.focus();
    }
    cancel.addEventListener("click", close);
    area.addEventListener("keydown", function (event) {
      if (event.key === "Escape") close();
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) editor.requestSubmit();
    });
    editor.addEventListener("submit", function (event) {
      event.preventDefault();
      var body = new FormData();
      body.append("en", area.value);
      body.append("csrf_token", table.dataset.csrf);
      save.disabled = true;
      message.textContent = "";
      fetch(sentence.dataset.editUrl, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: { Accept: "application/json" }
      })
        .then(function (response) {
          return response.json().then(function (data) { return { ok: response.ok, data: data }; });
        })
        .then(function (result) {
          if (!result.ok) throw new Error(result.data.detail || "Not saved.");
          text.textContent = result.data.en;
          if (result.data.edited) {
            sentence.classList.add("edited");
            sentence.title = "Machine translation: " + result.data.machine_en;
          }
          var fallback = document.getElementById(
            "edit-" + sentence.dataset.p + "-" + sentence.dataset.s
          );
          if (fallback) fallback.value = result.data.en;
          close();
        })
        .catch(function (error) {
          message.textContent = error.message || "Not saved.";
          save.disabled = false;
        });
    });
  }

  /* The list page: live progress of running batches and articles. */
  function livePoll() {
    var articles = Array.from(document.querySelectorAll("[data-live-article]"));
    var batches = Array.from(document.querySelectorAll("[data-live-batch]"));
    if (!articles.length && !batches.length) return;
    var query = new URLSearchParams();
    articles.forEach(function (row) { query.append("article", row.dataset.liveArticle); });
    batches.forEach(function (row) { query.append("batch", row.dataset.liveBatch); });
    fetch("/review/progress?" + query.toString(), {
      credentials: "same-origin",
      headers: { Accept: "application/json" }
    })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) return;
        articles.forEach(function (row) {
          var status = data.articles[row.dataset.liveArticle];
          var badge = row.querySelector("[data-status-of]");
          if (!status || !badge) return;
          badge.textContent = status;
          badge.className = "status status-" + status;
          if (FINISHED.indexOf(status) >= 0) row.removeAttribute("data-live-article");
        });
        batches.forEach(function (row) {
          var batch = data.batches[row.dataset.liveBatch];
          if (batch) updateBar(row, batch);
        });
        window.setTimeout(livePoll, POLL_INTERVAL_MS);
      })
      .catch(function () { window.setTimeout(livePoll, POLL_INTERVAL_MS * 3); });
  }

  function updateBar(row, batch) {
    var x = 0;
    row.querySelectorAll("rect[data-seg]").forEach(function (rect) {
      var count = batch.counts[rect.dataset.seg] || 0;
      var width = batch.total ? (100 * count) / batch.total : 0;
      rect.setAttribute("x", x.toFixed(3));
      rect.setAttribute("width", width.toFixed(3));
      x += width;
    });
    var parts = STATUS_ORDER.filter(function (k) { return batch.counts[k]; })
      .map(function (k) { return batch.counts[k] + " " + k; });
    var summary = parts.length ? parts.join(", ") : "no articles";
    var counts = row.querySelector(".counts");
    if (counts) {
      counts.textContent = batch.finished + " / " + batch.total + " finished · " + summary;
    }
    var bar = row.querySelector("svg.bar");
    if (bar) {
      bar.setAttribute("aria-label", batch.finished + " of " + batch.total + " finished: " + summary);
    }
    if (batch.finished >= batch.total) row.removeAttribute("data-live-batch");
  }

  document.addEventListener("DOMContentLoaded", function () {
    var table = document.querySelector("table.pairs");
    if (table) {
      table.addEventListener("mouseover", highlight);
      table.addEventListener("focusin", highlight);
      table.addEventListener("mouseout", unhighlight);
      table.addEventListener("focusout", clearHighlight);
      table.addEventListener("click", function (event) {
        var sentence = event.target.closest(".s[data-edit-url]");
        if (sentence) openEditor(sentence);
      });
      table.addEventListener("keydown", function (event) {
        var sentence = event.target.closest && event.target.closest(".s[data-edit-url]");
        if (sentence && event.target === sentence && event.key === "Enter") {
          event.preventDefault();
          openEditor(sentence);
        }
      });
    }
    window.setTimeout(livePoll, POLL_INTERVAL_MS);
  });
})();
