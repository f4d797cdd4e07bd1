/* Draw every chart of the briefing from the JSON beside it; no network, no build step.
 * window.__briefingReady turns true once every chart is drawn (the PDF printer waits for it);
 * window.__prepareForPrint(width) redraws the charts at the printed width. */
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("plot-config").textContent);
  var nodes = Array.prototype.slice.call(document.querySelectorAll("[data-figure]"));

  function draw(el) {
    var spec = JSON.parse(document.getElementById(el.getAttribute("data-figure")).textContent);
    return Plotly.newPlot(el, spec.data, spec.layout, config).then(function () {
      el.setAttribute("data-drawn", "true");
    });
  }

  function resizeAll(width) {
    return Promise.all(nodes.map(function (el) {
      return Plotly.relayout(el, { width: width || null, autosize: !width });
    }));
  }

  window.__briefingReady = false;
  window.__prepareForPrint = function (width) { return resizeAll(width || 690); };
  window.addEventListener("beforeprint", function () { window.__prepareForPrint(); });
  window.addEventListener("afterprint", function () { resizeAll(null); });

  Promise.all(nodes.map(draw)).then(function () {
    document.documentElement.setAttribute("data-charts-drawn", String(nodes.length));
    window.__briefingReady = true;
  }, function (err) {
    window.__briefingError = String(err);
    console.error("briefing: a chart could not be drawn: " + err);
  });
})();
