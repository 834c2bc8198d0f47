// The task page: ranking by drag and drop, buttons or keys; scale keys; active time; one submit.
// Without JavaScript the page still works: each response then has a rank selector.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // A ranking starts unranked: the responses wait in a pool ("Not ranked yet") until the
  // annotator places each one in the ranked list, so an untouched ranking is never the order the
  // page happened to show. The hidden rank selects (the no-JS form) carry the result.
  function each(nodes, fn) { Array.prototype.forEach.call(nodes, fn); }

  function poolOf(list) { return list.parentNode.querySelector("ul.rank-pool"); }

  function syncRanks(list) {
    each(list.children, function (item, index) {
      item.querySelector("select").value = String(index + 1);
    });
    each(poolOf(list).children, function (item) { item.querySelector("select").value = ""; });
    list.parentNode.classList.toggle("ranked-all", poolOf(list).children.length === 0);
    var error = list.parentNode.querySelector(".rank-error");
    if (error && poolOf(list).children.length === 0) error.hidden = true;
  }

  // Placing all but one response decides the last place too.
  function completeLast(list) {
    var pool = poolOf(list);
    if (pool.children.length === 1 && list.children.length > 0) list.appendChild(pool.firstElementChild);
  }

  function placeAt(list, item, rank) {
    var others = Array.prototype.filter.call(list.children, function (other) { return other !== item; });
    list.insertBefore(item, others[rank - 1] || null);
    completeLast(list);
    syncRanks(list);
  }

  function unrank(list, item) {
    var pool = poolOf(list);
    var letters = function (node) { return node.getAttribute("aria-label"); };
    var after = Array.prototype.find.call(pool.children, function (other) {
      return letters(other) > letters(item);
    });
    pool.insertBefore(item, after || null);  // the pool keeps the order the page showed
    syncRanks(list);
  }

  function move(list, item, step) {
    if (step < 0 && item.previousElementSibling) list.insertBefore(item, item.previousElementSibling);
    if (step > 0 && item.nextElementSibling) list.insertBefore(item.nextElementSibling, item);
    syncRanks(list);
  }

  function buildPool(list) {
    var fieldset = list.parentNode;
    var title = document.createElement("p");
    title.className = "rank-title";
    title.textContent = "Your ranking, best first";
    fieldset.insertBefore(title, list);
    list.setAttribute("data-empty", "Drag the best response here");
    var poolTitle = document.createElement("p");
    poolTitle.className = "rank-title rank-pool-title";
    poolTitle.textContent = "Not ranked yet";
    var pool = document.createElement("ul");
    pool.className = "rank-pool";
    pool.setAttribute("aria-label", "Not ranked yet");
    pool.setAttribute("data-empty", "All ranked. Drag one here to take it out.");
    var error = document.createElement("p");
    error.className = "rank-error errorlist";
    error.setAttribute("role", "alert");
    error.hidden = true;
    list.after(poolTitle, pool, error);
    // Without the template's blank text between items, an emptied list matches :empty.
    each(Array.prototype.slice.call(list.childNodes), function (node) {
      if (node.nodeType === Node.TEXT_NODE) list.removeChild(node);
    });
    // A form sent back keeps the ranks it had; everything else starts in the pool.
    var items = Array.prototype.slice.call(list.children);
    var rankOf = function (item) { return Number(item.querySelector("select").value) || 0; };
    items.forEach(function (item) { if (!rankOf(item)) pool.appendChild(item); });
    items.filter(rankOf).sort(function (a, b) { return rankOf(a) - rankOf(b); })
      .forEach(function (item) { list.appendChild(item); });
    return pool;
  }

  function setupRanking(list) {
    var dragged = null;
    var pool = buildPool(list);
    syncRanks(list);
    [list, pool].forEach(function (zone) {
      zone.addEventListener("dragover", function (event) {
        if (!dragged) return;
        event.preventDefault();
        if (event.target === zone) zone.appendChild(dragged);
      });
      zone.addEventListener("drop", function (event) { event.preventDefault(); });
    });
    each(list.parentNode.querySelectorAll(".rank-item"), function (item) {
      item.addEventListener("dragstart", function (event) {
        dragged = item;
        item.classList.add("dragging");
        event.dataTransfer.effectAllowed = "move";
        event.dataTransfer.setData("text/plain", "");
      });
      item.addEventListener("dragend", function () {
        item.classList.remove("dragging");
        dragged = null;
        if (item.parentNode === list) completeLast(list);
        syncRanks(list);
      });
      item.addEventListener("dragover", function (event) {
        if (!dragged || dragged === item) return;
        event.preventDefault();
        var box = item.getBoundingClientRect();
        var after = event.clientY > box.top + box.height / 2;
        item.parentNode.insertBefore(dragged, after ? item.nextElementSibling : item);
      });
      item.addEventListener("keydown", function (event) {
        if (event.target !== item || event.ctrlKey || event.metaKey || event.altKey) return;
        var ranked = item.parentNode === list;
        var key = event.key;
        if (/^[1-9]$/.test(key) && Number(key) <= list.children.length + (ranked ? 0 : 1)) {
          placeAt(list, item, Number(key));
        } else if (!ranked && (key === "Enter" || key === " " || key === "ArrowUp")) {
          placeAt(list, item, list.children.length + 1);
        } else if (ranked && (key === "ArrowUp" || key === "ArrowDown")) {
          move(list, item, key === "ArrowUp" ? -1 : 1);
        } else if (ranked && (key === "Delete" || key === "Backspace")) {
          unrank(list, item);
        } else {
          return;
        }
        event.preventDefault();
        item.focus();
      });
      item.querySelector("[data-place]").addEventListener("click", function () {
        placeAt(list, item, list.children.length + 1);
        item.focus();
      });
      item.querySelector("[data-unrank]").addEventListener("click", function () {
        unrank(list, item);
        item.focus();
      });
      item.querySelectorAll("[data-move]").forEach(function (button) {
        button.addEventListener("click", function () {
          move(list, item, Number(button.getAttribute("data-move")));
          button.focus();
        });
      });
    });
  }

  // Whether every ranking may be sent; if not, say so next to it and focus what is left.
  function rankingsReady(form) {
    var ready = true;
    form.querySelectorAll("ol.ranking").forEach(function (list) {
      var pool = poolOf(list);
      var required = list.getAttribute("data-required") === "true";
      if (!pool.children.length || (!required && !list.children.length)) return;
      var error = list.parentNode.querySelector(".rank-error");
      error.textContent = list.children.length
        ? "Rank the responses that are left too."
        : "Rank the responses first: nothing is ranked yet.";
      error.hidden = false;
      if (ready) pool.firstElementChild.focus();
      ready = false;
    });
    return ready;
  }

  function typing(target) {
    // A focused ranked response takes digits as its rank, not as the scale's.
    return target.closest("textarea, select, input[type=text], input[type=email], .rank-item") !== null;
  }

  function scaleKeys(form) {
    var scale = form.querySelector(".kind-preference") || form.querySelector(".kind-rating");
    document.addEventListener("keydown", function (event) {
      if (event.ctrlKey && event.key === "Enter") {
        event.preventDefault();
        if (rankingsReady(form)) form.requestSubmit(form.querySelector("#submit"));
        return;
      }
      if (event.defaultPrevented || typing(event.target)) return;
      if (event.ctrlKey || event.metaKey || event.altKey) return;
      if (event.key === "?") {
        var keys = document.querySelector("details.keys");
        if (keys) keys.open = !keys.open;
        return;
      }
      if (scale && /^[1-9]$/.test(event.key)) {
        var radio = scale.querySelectorAll("input[type=radio]")[Number(event.key) - 1];
        if (radio) radio.checked = true;
      }
    });
  }

  function activeTime(form) {
    var total = 0;
    var since = document.visibilityState === "visible" ? performance.now() : null;
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "visible") {
        since = performance.now();
      } else if (since !== null) {
        total += performance.now() - since;
        since = null;
      }
    });
    return function () {
      return Math.round(total + (since !== null ? performance.now() - since : 0));
    };
  }

  function start() {
    var form = document.getElementById("task-form");
    if (!form) return;
    form.querySelectorAll("ol.ranking").forEach(setupRanking);
    scaleKeys(form);
    // On the button's click (implicit submission clicks it too), before the browser checks the
    // required choices, so an untouched ranking is named first.
    form.querySelector("#submit").addEventListener("click", function (event) {
      if (!rankingsReady(form)) event.preventDefault();
    });
    var elapsed = activeTime(form);
    var sent = false;
    form.addEventListener("submit", function (event) {
      if (sent) {
        event.preventDefault();
        return;
      }
      sent = true;
      var active = form.querySelector("#active-ms"); // the qualification's form has none
      if (active) active.value = String(elapsed());
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
