/* Reciprocity web app: draw charts from the JSON beside them, update the explorer in place,
 * and show the source records behind a clicked point. No framework, no build step; every
 * page also works without this script (plain links and forms). */
(function () {
  "use strict";

  var CONFIG = { displaylogo: false, responsive: true, displayModeBar: false, showLink: false };

  function drawCharts(root) {
    if (!window.Plotly) { return Promise.resolve(); }
    var nodes = root.querySelectorAll("[data-figure]:not([data-drawn])");
    return Promise.all(Array.prototype.map.call(nodes, function (el) {
      var spec = JSON.parse(document.getElementById(el.getAttribute("data-figure")).textContent);
      return Plotly.newPlot(el, spec.data, spec.layout, CONFIG).then(function () {
        el.setAttribute("data-drawn", "true");
        if (el.getAttribute("data-kind") === "flows" || el.getAttribute("data-kind") === "index") {
          el.classList.add("clickable");
          el.on("plotly_click", function (ev) {
            var pt = ev.points && ev.points[0];
            if (pt && pt.customdata) { showRecords(pt.customdata[0], pt.customdata[1]); }
          });
        }
      });
    }));
  }
  window.reciprocityDrawCharts = drawCharts;

  function formParams(form) {
    var params = new URLSearchParams();
    new FormData(form).forEach(function (value, key) {
      if (String(value).trim() !== "") { params.append(key, String(value).trim()); }
    });
    return params;
  }

  // -- pair explorer ---------------------------------------------------------------------
  var form = document.getElementById("pair-form");
  var results = document.getElementById("results");
  var seq = 0;

  function update() {
    var params = formParams(form);
    var mine = ++seq;
    results.setAttribute("aria-busy", "true");
    return fetch(form.getAttribute("data-results") + "?" + params.toString(), {
      headers: { "X-Requested-With": "fetch" }, credentials: "same-origin"
    }).then(function (resp) { return resp.text(); }).then(function (html) {
      if (mine !== seq) { return; }
      results.innerHTML = html;
      results.setAttribute("aria-busy", "false");
      history.replaceState(null, "", "/pair?" + params.toString());
      var link = document.getElementById("briefing-link");
      if (link) { link.href = "/report?" + params.toString(); }
      syncRecordsForm(params);
      return drawCharts(results);
    }).catch(function (err) {
      results.setAttribute("aria-busy", "false");
      console.error("explorer update failed: " + err);
    });
  }

  function syncRecordsForm(params) {
    var rf = document.getElementById("records-form");
    if (!rf) { return; }
    Array.prototype.slice.call(rf.querySelectorAll("input[type=hidden]")).forEach(function (el) {
      el.parentNode.removeChild(el);
    });
    params.forEach(function (value, key) {
      if (key === "channel") {
        var sel = document.getElementById("records-channel");
        if (sel) { sel.value = value; }
        return;
      }
      var input = document.createElement("input");
      input.type = "hidden"; input.name = key; input.value = value;
      rf.insertBefore(input, rf.firstChild);
    });
  }

  function showRecords(channel, year) {
    var rf = document.getElementById("records-form");
    var body = document.getElementById("records-body");
    if (!rf || !body) { return; }
    var params = formParams(form || rf);
    params.set("channel", channel);
    if (year !== null && year !== undefined && year !== "") { params.set("year", year); }
    else { params.delete("year"); }
    document.getElementById("records-channel").value = channel;
    document.getElementById("records-year").value = year || "";
    body.setAttribute("aria-busy", "true");
    return fetch(rf.getAttribute("action") + "?" + params.toString(), {
      headers: { "X-Requested-With": "fetch" }, credentials: "same-origin"
    }).then(function (resp) { return resp.text(); }).then(function (html) {
      body.innerHTML = html;
      body.setAttribute("aria-busy", "false");
      var section = document.getElementById("records");
      section.scrollIntoView({ behavior: "smooth", block: "start" });
      var title = document.getElementById("records-title");
      (title || section).focus({ preventScroll: true });
    });
  }
  window.reciprocityShowRecords = showRecords;

  if (form && results) {
    form.addEventListener("change", function () { update(); });
    form.addEventListener("submit", function (ev) { ev.preventDefault(); update(); });
    var swap = document.getElementById("swap");
    if (swap) {
      swap.addEventListener("click", function () {
        var a = document.getElementById("a"), b = document.getElementById("b");
        var t = a.value; a.value = b.value; b.value = t;
        update();
      });
    }
    var rf = document.getElementById("records-form");
    if (rf) {
      rf.addEventListener("submit", function (ev) {
        ev.preventDefault();
        showRecords(document.getElementById("records-channel").value,
                    document.getElementById("records-year").value);
      });
    }
  }

  function start() { drawCharts(document); }
  if (window.Plotly) { start(); }
  else { window.addEventListener("load", start); }
})();
