/* The coverage trend chart of vaccination/coverage.html (ECharts), from the #trend-data JSON block. */
(function () {
  var el = document.getElementById("trend-chart"), data = document.getElementById("trend-data");
  if (!el || !data || !window.echarts) return;
  var d = JSON.parse(data.textContent), chart = echarts.init(el);
  chart.setOption({tooltip: {trigger: "axis"}, legend: {data: ["≥ 1", "2", "3"]}, xAxis: {type: "category", data: d.dates},
    yAxis: {type: "value", max: 100}, series: [{name: "≥ 1", type: "line", data: d.dose1}, {name: "2", type: "line", data: d.full},
    {name: "3", type: "line", data: d.booster}]});
})();
