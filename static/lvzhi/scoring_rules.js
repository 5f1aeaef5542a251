// The preview (试算) of an assessment rule set: members per grade now and with the version, as bars.
// Loaded after the vendored Apache ECharts. The Content-Security-Policy allows no inline script, so the
// numbers come from the <script type="application/json"> block (json_script) named by data-rule-chart;
// the table beside the chart has the same numbers.
(function () {
  "use strict";
  if (!window.echarts) {
    return;
  }
  document.querySelectorAll("[data-rule-chart]").forEach(function (element) {
    var source = document.getElementById(element.getAttribute("data-rule-chart"));
    var data = source ? JSON.parse(source.textContent) : null;
    if (!data || !data.grades.length) {
      element.hidden = true;
      return;
    }
    var chart = window.echarts.init(element);
    chart.setOption({
      animation: false,
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { top: 0 },
      grid: { left: 8, right: 24, bottom: 8, top: 40, containLabel: true },
      xAxis: { type: "category", data: data.grades, axisLabel: { interval: 0 } },
      yAxis: { type: "value", minInterval: 1 },
      series: [
        { name: data.labels.before, type: "bar", data: data.before, itemStyle: { color: "#adb5bd" }, label: { show: true, position: "top" } },
        { name: data.labels.after, type: "bar", data: data.after, itemStyle: { color: "#0d6efd" }, label: { show: true, position: "top" } },
      ],
    });
    element.setAttribute("data-chart-drawn", "");
    window.addEventListener("resize", function () {
      chart.resize();
    });
  });
})();
