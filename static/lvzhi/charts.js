// Charts and sortable tables of the start page. Loaded only by pages that have them (home/index.html),
// after the vendored Apache ECharts (static/vendor/echarts/). The Content-Security-Policy allows no inline
// script, so the numbers come from a <script type="application/json"> block (json_script) named by the
// chart's data-chart-data; every chart has a table with the same numbers next to it.
(function () {
  "use strict";

  var COLORS = { present: "#198754", late: "#ffc107", left_early: "#fd7e14", leave: "#0dcaf0", absent: "#dc3545" };

  function readData(element) {
    var source = document.getElementById(element.getAttribute("data-chart-data"));
    return source ? JSON.parse(source.textContent) : null;
  }

  var grid = { left: 8, right: 24, bottom: 8, top: 48, containLabel: true };

  var builders = {
    // Stacked bars: per kind of activity, how the invitations ended (present, late, ..., absent).
    "attendance-by-kind": function (data) {
      return {
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
        legend: { top: 0 },
        grid: grid,
        xAxis: { type: "category", data: data.kinds, axisLabel: { interval: 0, rotate: data.kinds.length > 4 ? 30 : 0 } },
        yAxis: { type: "value", minInterval: 1 },
        series: Object.keys(data.labels).map(function (key) {
          return { name: data.labels[key], type: "bar", stack: "all", data: data.series[key], itemStyle: { color: COLORS[key] } };
        }),
      };
    },
    // Horizontal bars: the members absent most often, the most at the top.
    absentees: function (data) {
      return {
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
        grid: { left: 8, right: 32, bottom: 8, top: 16, containLabel: true },
        xAxis: { type: "value", minInterval: 1 },
        yAxis: { type: "category", data: data.absentees.slice().reverse() },
        series: [
          {
            name: data.labels.absent,
            type: "bar",
            data: data.absences.slice().reverse(),
            itemStyle: { color: COLORS.absent },
            label: { show: true, position: "right" },
          },
        ],
      };
    },
    // One series of bars from the 社情民意 statistics page: the table named by data-chart-key.
    "opinion-bars": function (all, element) {
      var data = all[element.getAttribute("data-chart-key")];
      return {
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
        grid: { left: 8, right: 24, bottom: 8, top: 16, containLabel: true },
        xAxis: { type: "category", data: data.labels, axisLabel: { interval: 0, rotate: data.labels.length > 4 ? 30 : 0 } },
        yAxis: { type: "value", minInterval: data.key === "steps" ? 0 : 1 },
        series: [{ name: data.series, type: "bar", data: data.values, itemStyle: { color: "#0d6efd" }, label: { show: true, position: "top" } }],
      };
    },
  };

  function drawCharts() {
    if (!window.echarts) {
      return;
    }
    document.querySelectorAll("[data-chart]").forEach(function (element) {
      var data = readData(element);
      var build = builders[element.getAttribute("data-chart")];
      if (!data || !build || (element.getAttribute("data-chart") === "absentees" && !data.absentees.length)) {
        element.hidden = true;
        return;
      }
      var chart = window.echarts.init(element);
      chart.setOption(build(data, element));
      element.setAttribute("data-chart-drawn", "");
      window.addEventListener("resize", function () {
        chart.resize();
      });
    });
  }

  // table[data-sortable]: a click on a column title sorts the rows by it (numbers as numbers, names by a
  // cell's data-sort, e.g. the stroke order), a second click the other way; aria-sort says which.
  function cellValue(row, index) {
    var cell = row.cells[index];
    var text = cell ? cell.getAttribute("data-sort") || cell.textContent.trim() : "";
    var number = parseFloat(text.replace("%", ""));
    return isNaN(number) || !/^[\d.,%\s-]+$/.test(text) ? { text: text } : { number: number };
  }

  function sortBy(table, index, header) {
    var descending = header.getAttribute("aria-sort") === "ascending";
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = cellValue(a, index);
      var y = cellValue(b, index);
      var order =
        x.number !== undefined && y.number !== undefined ? x.number - y.number : String(x.text).localeCompare(String(y.text), "zh");
      return descending ? -order : order;
    });
    rows.forEach(function (row) {
      body.appendChild(row);
    });
    table.querySelectorAll("thead th").forEach(function (th) {
      th.setAttribute("aria-sort", "none");
    });
    header.setAttribute("aria-sort", descending ? "descending" : "ascending");
  }

  function makeSortable(table) {
    table.querySelectorAll("thead th").forEach(function (header, index) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "btn btn-link btn-sm p-0 text-reset fw-bold text-decoration-none";
      while (header.firstChild) {
        button.appendChild(header.firstChild);
      }
      header.appendChild(button);
      header.setAttribute("aria-sort", "none");
      button.addEventListener("click", function () {
        sortBy(table, index, header);
      });
    });
  }

  document.querySelectorAll("table[data-sortable]").forEach(makeSortable);
  drawCharts();
})();
