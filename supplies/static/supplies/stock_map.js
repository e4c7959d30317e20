// Stock position map (supplies/position.html): one marker per store, coloured by stock-outs and low stock.
document.addEventListener("DOMContentLoaded", function () {
  var el = document.getElementById("stock-map");
  if (!window.L || !el) return;
  var map = L.map(el).setView([14.6, 107.9], 8);
  fetch(el.dataset.url, {credentials: "same-origin"}).then(function (r) { return r.json(); }).then(function (data) {
    var bounds = [];
    data.points.forEach(function (p) {
      var colour = p.empty ? "#c62828" : (p.low ? "#ef6c00" : "#2e7d32");
      var m = L.circleMarker([p.lat, p.lng], {radius: 7, color: colour, fillColor: colour, fillOpacity: 0.8}).addTo(map);
      var a = document.createElement("a"); a.href = p.url; a.textContent = p.store;
      var box = document.createElement("div"); box.appendChild(a);
      if (p.quantity !== null) box.appendChild(document.createTextNode(" — " + p.quantity.toLocaleString("vi-VN")));
      if (p.empty || p.low) box.appendChild(document.createTextNode(" · " + p.empty + " / " + p.low));
      m.bindPopup(box);
      bounds.push([p.lat, p.lng]);
    });
    if (bounds.length) map.fitBounds(bounds, {maxZoom: 11, padding: [20, 20]});
  });
});
