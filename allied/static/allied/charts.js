// Draws every chart of the page from its inline Vega-Lite spec. Without the local Vega files the
// data table below each chart is all there is, which is enough. vega-embed and its tooltips would
// add their styles as inline <style> elements, which the Content-Security-Policy refuses: the
// rules they need are in allied.css instead.
document.addEventListener("DOMContentLoaded", function () {
  if (typeof vegaEmbed !== "function") return;
  document.querySelectorAll("[data-chart-spec]").forEach(function (canvas) {
    var source = document.getElementById(canvas.getAttribute("data-chart-spec"));
    if (!source) return;
    vegaEmbed(canvas, JSON.parse(source.textContent), {
      actions: false,
      renderer: "svg",
      defaultStyle: false,
      tooltip: { disableDefaultStyle: true },
    })
      .catch(function () { canvas.hidden = true; });
  });
});
