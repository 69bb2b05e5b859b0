// Draws every chart of the page from its inline Vega-Lite spec. Without the local Vega files the
// data table below each chart is all there is, which is enough.
document.addEventListener("DOMContentLoaded", function () {
  if (typeof vegaEmbed !== "function") return;
  document.querySelectorAll("[data-chart-spec]").forEach(function (canvas) {
    var source = document.getElementById(canvas.getAttribute("data-chart-spec"));
    if (!source) return;
    vegaEmbed(canvas, JSON.parse(source.textContent), { actions: false, renderer: "svg" })
      .catch(function () { canvas.hidden = true; });
  });
});
