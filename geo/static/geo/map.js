/* phongdich maps on Leaflet (served from node_modules as vendor/leaflet). No tile server: the users'
 * networks may be closed, so maps draw the units' polygons (or centroid markers) on a plain background.
 *
 *   phongdichMap.choropleth(element, geojsonOrUrl, {valueLabel, colors, link, onClick, format})
 *   phongdichMap.fromElement(element)   // reads data-geojson, data-value-label, data-link
 *
 * Features follow geo.services.feature_collection(): properties {id, code, name, value, url?}. Polygons are
 * coloured by `value` (5 quantile classes); Point features become circle markers sized by `value`.
 */
(function () {
  "use strict";
  var DEFAULT_COLORS = ["#fff5eb", "#fdd0a2", "#fd8d3c", "#d94801", "#7f2704"];

  function fmt(n) {
    if (n === null || n === undefined) return "—";
    return Number(n).toLocaleString("vi-VN");
  }

  function breaks(values, classes) {
    var v = values.filter(function (x) { return x !== null && x !== undefined; }).sort(function (a, b) { return a - b; });
    if (!v.length) return [];
    var out = [];
    for (var i = 1; i < classes; i++) out.push(v[Math.min(v.length - 1, Math.floor((i * v.length) / classes))]);
    return out;
  }

  function classOf(value, cuts) {
    if (value === null || value === undefined) return -1;
    var k = 0;
    while (k < cuts.length && value >= cuts[k]) k++;
    return k;
  }

  function choropleth(el, data, opts) {
    opts = opts || {};
    var colors = opts.colors || DEFAULT_COLORS;
    var format = opts.format || fmt;
    var map = L.map(el, { zoomSnap: 0.25, attributionControl: false });
    el.phongdichMap = map;
    function draw(geojson) {
      var feats = geojson.features || [];
      var cuts = breaks(feats.map(function (f) { return f.properties.value; }), colors.length);
      var max = Math.max.apply(null, [1].concat(feats.map(function (f) { return f.properties.value || 0; })));
      var layer = L.geoJSON(geojson, {
        style: function (f) {
          var k = classOf(f.properties.value, cuts);
          return { color: "#555", weight: 1, fillOpacity: 0.75, fillColor: k < 0 ? "#ddd" : colors[k] };
        },
        pointToLayer: function (f, latlng) {
          var k = classOf(f.properties.value, cuts);
          var r = 6 + 14 * Math.sqrt((f.properties.value || 0) / max);
          return L.circleMarker(latlng, { radius: r, color: "#333", weight: 1, fillOpacity: 0.8, fillColor: k < 0 ? "#999" : colors[k] });
        },
        onEachFeature: function (f, lyr) {
          var p = f.properties;
          lyr.bindTooltip(p.name + (opts.valueLabel ? " – " + opts.valueLabel + ": " + format(p.value) : ""), { sticky: true });
          lyr.on("click", function () {
            if (opts.onClick) opts.onClick(f);
            else if (opts.link && p.url) window.location.href = p.url;
          });
        }
      }).addTo(map);
      if (feats.length) map.fitBounds(layer.getBounds(), { padding: [10, 10], maxZoom: 13 });
      else map.setView([14.35, 108.0], 9);
      if (cuts.length && opts.valueLabel) {
        var legend = L.control({ position: "bottomright" });
        legend.onAdd = function () {
          var div = L.DomUtil.create("div", "pd-map-legend");
          div.style.cssText = "background:#fff;padding:6px 8px;border-radius:4px;font-size:12px;line-height:18px";
          var html = "<strong>" + opts.valueLabel + "</strong><br>";
          var lows = [null].concat(cuts);
          for (var i = 0; i < colors.length && i < lows.length; i++) {
            html += '<i style="display:inline-block;width:12px;height:12px;margin-right:4px;background:' + colors[i] + '"></i>' +
              (lows[i] === null ? "&lt; " + format(cuts[0]) : "≥ " + format(lows[i])) + "<br>";
          }
          div.innerHTML = html;
          return div;
        };
        legend.addTo(map);
      }
      el.dataset.features = String(feats.length);
      el.dataset.points = String(feats.filter(function (f) { return f.geometry.type === "Point"; }).length);
      el.dataset.ready = "1";
    }
    if (typeof data === "string") {
      fetch(data, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(draw);
    } else {
      draw(data);
    }
    return map;
  }

  function fromElement(el) {
    if (!el || el.phongdichMap) return el && el.phongdichMap;
    return choropleth(el, el.dataset.geojson, { valueLabel: el.dataset.valueLabel, link: el.dataset.link === "1" });
  }

  window.phongdichMap = { choropleth: choropleth, fromElement: fromElement, format: fmt };

  // Maps included with geo/_map.html start themselves (no inline script: the Content-Security-Policy refuses it).
  function startAll() {
    Array.prototype.forEach.call(document.querySelectorAll(".pd-map[data-geojson]"), fromElement);
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", startAll); } else { startAll(); }
})();
