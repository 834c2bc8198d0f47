// The task page: ranking by drag and drop, buttons or keys; scale keys; active time; one submit.
// Without JavaScript the page still works: each response then has a rank selector.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function syncRanks(list) {
    Array.prototype.forEach.call(list.children, function (item, index) {
      item.querySelector("select").value = String(index + 1);
    });
  }

  function orderFromSelects(list) {
    var items = Array.prototype.slice.call(list.children);
    var ranked = items.map(function (item) { return Number(item.querySelector("select").value); });
    if (ranked.some(function (rank) { return !rank; })) return;
    items.sort(function (a, b) {
      return Number(a.querySelector("select").value) - Number(b.querySelector("select").value);
    }).forEach(function (item) { list.appendChild(item); });
  }

  function move(item, step) {
    var list = item.parentNode;
    if (step < 0 && item.previousElementSibling) list.insertBefore(item, item.previousElementSibling);
    if (step > 0 && item.nextElementSibling) list.insertBefore(item.nextElementSibling, item);
    syncRanks(list);
  }

  function setupRanking(list) {
    var dragged = null;
    orderFromSelects(list);
    syncRanks(list);
    Array.prototype.forEach.call(list.children, function (item) {
      item.addEventListener("dragstart", function (event) {
        dragged = item;
        item.classList.add("dragging");
        event.dataTransfer.effectAllowed = "move";
        event.dataTransfer.setData("text/plain", "");
      });
      item.addEventListener("dragend", function () {
        item.classList.remove("dragging");
        dragged = null;
        syncRanks(list);
      });
      item.addEventListener("dragover", function (event) {
        if (!dragged || dragged === item) return;
        event.preventDefault();
        var box = item.getBoundingClientRect();
        var after = event.clientY > box.top + box.height / 2;
        list.insertBefore(dragged, after ? item.nextElementSibling : item);
      });
      item.addEventListener("drop", function (event) {
        event.preventDefault();
        syncRanks(list);
      });
      item.addEventListener("keydown", function (event) {
        if (event.key === "ArrowUp" || event.key === "ArrowDown") {
          event.preventDefault();
          move(item, event.key === "ArrowUp" ? -1 : 1);
          item.focus();
        }
      });
      item.querySelectorAll("[data-move]").forEach(function (button) {
        button.addEventListener("click", function () {
          move(item, Number(button.getAttribute("data-move")));
          button.focus();
        });
      });
    });
  }

  function typing(target) {
    return target.closest("textarea, select, input[type=text], input[type=email]") !== null;
  }

  function scaleKeys(form) {
    var scale = form.querySelector(".kind-preference") || form.querySelector(".kind-rating");
    document.addEventListener("keydown", function (event) {
      if (event.ctrlKey && event.key === "Enter") {
        event.preventDefault();
        form.requestSubmit(form.querySelector("#submit"));
        return;
      }
      if (typing(event.target) || event.ctrlKey || event.metaKey || event.altKey) return;
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
    var elapsed = activeTime(form);
    var sent = false;
    form.addEventListener("submit", function (event) {
      if (sent) {
        event.preventDefault();
        return;
      }
      sent = true;
      form.querySelector("#active-ms").value = String(elapsed());
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
