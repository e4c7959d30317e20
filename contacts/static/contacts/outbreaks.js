/* The outbreak map of contacts/outbreaks.html: points from the #outbreak-points JSON block. */
(function () {
  "use strict";
  var source = document.getElementById("outbreak-points");
  if (!source || !window.L || !document.getElementById("map")) return;
  var pts = JSON.parse(source.textContent);
  var map = L.map("map").setView([14.35, 108.0], 8);
  var layer = L.featureGroup().addTo(map);
  pts.forEach(function (p) {
    var link = document.createElement("a");
    link.href = p.url;
    link.textContent = p.name;
    L.circleMarker([p.lat, p.lng], {radius: 8, color: p.active ? "#c0392b" : "#2e7d32"}).bindPopup(link).addTo(layer);
  });
  if (pts.length) { map.fitBounds(layer.getBounds().pad(0.3)); }
})();
