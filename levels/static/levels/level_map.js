/* The commune level map of levels/map.html: features from the #level-features JSON block, colours from the map
 * element's data-colours; a click loads the commune's explanation into #detail with htmx. */
(function () {
  "use strict";
  var el = document.getElementById("level-map"), source = document.getElementById("level-features");
  if (!el || !source || !window.L) return;
  var colours = JSON.parse(el.dataset.colours || "{}");
  var data = JSON.parse(source.textContent);
  var map = L.map(el);
  var layer = L.geoJSON({type: "FeatureCollection", features: data}, {
    style: function (f) {
      return {color: "#555", weight: 1, fillOpacity: .75, fillColor: colours[f.properties.level] || "#ccc",
              dashArray: f.properties.derived ? "4 3" : null};
    },
    onEachFeature: function (f, l) {
      // A derived level (the other structure's map, levels.crosswalk) names what it was derived from.
      l.bindTooltip(f.properties.name + (f.properties.level ? " · " + f.properties.level : "") +
                    (f.properties.derived ? " — " + f.properties.note : ""));
      l.on("click", function () { htmx.ajax("GET", f.properties.url, "#detail"); });
    }
  }).addTo(map);
  map.fitBounds(layer.getBounds());
})();
