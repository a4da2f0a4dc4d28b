/* Dashboards: draws each panel of the JSON data island (#dashboard-data) with ECharts, toggles a chart to
   its data table, follows a bar/slice to the list behind it, turns on decal patterns for black-and-white
   printing, and reloads the hall screen on a timer. No inline script: everything is read from the page. */
(function () {
  "use strict";
  var island = document.getElementById("dashboard-data");
  if (!island || typeof echarts === "undefined") return;
  var data = JSON.parse(island.textContent);
  var dark = data.theme === "dark";
  var textColor = dark ? "#e8eef7" : "#333";
  var charts = [];
  // No animation on the hall screen or for people who ask for reduced motion: bars are drawn at their
  // final size at once (and a click lands on the bar it is aimed at).
  var still = dark || (window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches);

  function esc(s) {
    return String(s == null ? "" : s).replace(/[&<>"]/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c];
    });
  }

  // Plain-text tooltips: ECharts' default ones carry inline style attributes, which the strict CSP
  // (style-src 'self') refuses, logging an error for each.
  function tooltipText(panel) {
    return function (params) {
      var list = Array.isArray(params) ? params : [params];
      if (!list.length) return "";
      var lines = list.map(function (p) {
        var v = p.value == null || p.value === "" ? "—" : p.value;
        var pct = p.percent != null ? "（" + p.percent + "%）" : "";
        return esc(list.length > 1 || !panel.items ? p.seriesName : p.name) + "：" + esc(v) + esc(panel.unit) + pct;
      });
      return (list.length > 1 || !panel.items ? esc(list[0].name) + "<br>" : "") + lines.join("<br>");
    };
  }

  function base(panel) {
    return {
      animation: !still,
      textStyle: { fontFamily: "system-ui, 'Noto Sans CJK SC', 'Microsoft YaHei', sans-serif", color: textColor },
      tooltip: { trigger: panel.items ? "item" : "axis", confine: true, formatter: tooltipText(panel) },
      aria: { enabled: true, decal: { show: false } },
      grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
    };
  }

  function itemOption(panel) {
    var opt = base(panel);
    var items = panel.items || [];
    var data = items.map(function (i) {
      return { name: i.label, value: i.value, url: i.url, itemStyle: { color: i.color } };
    });
    if (panel.chart === "pie") {
      opt.legend = { top: 0, type: "scroll", textStyle: { color: textColor } };
      opt.series = [{ type: "pie", radius: ["30%", "58%"], center: ["50%", "56%"], data: data,
        label: { formatter: "{b}\n{c}" + panel.unit + "（{d}%）", color: textColor } }];
    } else if (panel.chart === "funnel") {
      opt.series = [{ type: "funnel", sort: "none", top: 10, bottom: 10, left: "10%", width: "80%", data: data,
        label: { formatter: "{b}：{c}" + panel.unit } }];
    } else {
      var horizontal = panel.chart === "hbar";
      var cat = { type: "category", data: items.map(function (i) { return i.label; }),
        axisLabel: { color: textColor, interval: 0, hideOverlap: false, width: horizontal ? 120 : 90, overflow: "truncate",
          rotate: !horizontal && items.length > 5 ? 35 : 0 } };
      var val = { type: "value", name: panel.unit, axisLabel: { color: textColor } };
      opt.xAxis = horizontal ? val : cat;
      opt.yAxis = horizontal ? cat : val;
      if (horizontal) opt.yAxis.inverse = true;
      opt.series = [{ type: "bar", data: data, barMaxWidth: 36,
        label: { show: true, position: horizontal ? "right" : "top", color: textColor } }];
    }
    return opt;
  }

  function seriesOption(panel) {
    var opt = base(panel);
    var stack = panel.chart === "stack";
    opt.legend = { top: 0, type: "scroll", textStyle: { color: textColor } };
    opt.xAxis = { type: "category", data: panel.categories, axisLabel: { color: textColor } };
    opt.yAxis = { type: "value", name: panel.unit, axisLabel: { color: textColor } };
    if (panel.unit === "%") opt.yAxis.max = 100;
    opt.series = panel.series.map(function (s, n) {
      return {
        name: s.name, type: stack ? "bar" : "line", stack: stack ? "total" : undefined, connectNulls: false,
        symbol: ["circle", "rect", "triangle", "diamond"][n % 4], symbolSize: 7,
        lineStyle: { type: ["solid", "dashed", "dotted"][n % 3] },
        itemStyle: { color: s.color },
        data: s.data.map(function (v, i) { return { value: v, url: s.urls[i] }; }),
      };
    });
    return opt;
  }

  (data.panels || []).forEach(function (panel) {
    var el = document.getElementById("chart-" + panel.id);
    if (!el) return;
    var chart = echarts.init(el, null, { renderer: "canvas" });
    chart.setOption(panel.items ? itemOption(panel) : seriesOption(panel));
    chart.on("click", function (params) {
      var url = params.data && params.data.url;
      if (url) window.location.href = url;
    });
    el.dataset.drawn = "1";
    charts.push(chart);
  });

  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });

  // Decal patterns tell series apart without colour (black-and-white printing).
  function decal(show) {
    charts.forEach(function (c) { c.setOption({ aria: { enabled: true, decal: { show: show } } }); });
  }
  window.addEventListener("beforeprint", function () { decal(true); });
  window.addEventListener("afterprint", function () { decal(false); });

  document.querySelectorAll("[data-toggle-table]").forEach(function (btn) {
    btn.addEventListener("click", function () {
      var id = btn.getAttribute("data-toggle-table");
      var table = document.getElementById("table-" + id);
      var chartEl = document.getElementById("chart-" + id);
      var showTable = table.hidden;
      table.hidden = !showTable;
      chartEl.hidden = showTable;
      btn.setAttribute("aria-pressed", showTable ? "true" : "false");
      btn.textContent = showTable ? "图表" : "数据表";
      if (!showTable) charts.forEach(function (c) { c.resize(); });
    });
  });

  var refresh = parseInt(document.body.getAttribute("data-refresh-seconds") || "0", 10);
  if (refresh > 0) {
    window.setTimeout(function () { window.location.reload(); }, refresh * 1000);
  }
})();
