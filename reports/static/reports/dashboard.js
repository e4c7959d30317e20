/* Leadership dashboard charts (ECharts from node_modules, served as vendor/echarts). Every bar opens the case list
 * it counts (the URLs come with the data). */
(function () {
  "use strict";
  // The leadership's other figures (its former home tiles), fetched once the page is drawn.
  var other = document.getElementById("other-figures");
  if (other && other.getAttribute("data-url") && window.fetch) {
    fetch(other.getAttribute("data-url"), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (html) { other.innerHTML = html; other.setAttribute("data-loaded", "1"); })
      .catch(function () { /* the link to the full page stays */ });
  }
  var node = document.getElementById("dashboard-data");
  if (!node || !window.echarts) return;
  var d = JSON.parse(node.textContent);
  function fmt(n) { return Number(n).toLocaleString("vi-VN"); }
  function bars(id, series, opts) {
    var el = document.getElementById(id);
    if (!el) return;
    var chart = echarts.init(el);
    var option = {
      tooltip: { trigger: "axis", valueFormatter: fmt },
      grid: { left: 40, right: 16, top: 24, bottom: 40 },
      xAxis: { type: "category", data: series.x },
      yAxis: { type: "value", minInterval: 1 },
      series: [{ name: opts.name, type: "bar", data: series.y, itemStyle: { color: "#d94801" } }]
    };
    if (series.avg) option.series.push({ name: opts.avgName, type: "line", data: series.avg, smooth: true, symbol: "none", lineStyle: { color: "#08519c", width: 2 } });
    if (opts.legend) option.legend = { top: 0 };
    chart.setOption(option);
    chart.on("click", function (p) { if (p.seriesType === "bar" && series.url[p.dataIndex]) window.location.href = series.url[p.dataIndex]; });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  bars("curve-daily", d.daily, { name: el("curve-daily", "label"), avgName: el("curve-daily", "avg"), legend: true });
  bars("curve-weekly", d.weekly, { name: el("curve-weekly", "label") });
  bars("age-chart", d.ages, { name: el("age-chart", "label") });
  function el(id, key) { var e = document.getElementById(id); return e ? e.getAttribute("data-" + key) : ""; }
})();
