// Shared by the pin map and the case map: a Leaflet map with the office's tile server when one is set, else
// only the areas' polygons (offline, tests). Areas come as GeoJSON from the server.
"use strict";
window.PlacesMap = {
  make: function (element) {
    // maxZoom on the map itself: without a tile layer nothing else sets it, and clustering needs it.
    var map = L.map(element, { zoomControl: true, maxZoom: 19, attributionControl: !!element.dataset.tiles });
    var center = JSON.parse(element.dataset.center || "[0, 0]");
    map.setView(center, parseInt(element.dataset.zoom || "11", 10));
    if (element.dataset.tiles) {
      L.tileLayer(element.dataset.tiles, { maxZoom: 19, attribution: element.dataset.attribution || "" }).addTo(map);
    }
    return map;
  },
  areaStyle: function () {
    return { color: "#2b5c8a", weight: 2, fillColor: "#2b5c8a", fillOpacity: 0.08 };
  },
  // The areas as outlines that let clicks through to the map (where a pin is dropped).
  loadAreas: function (map, url) {
    return fetch(url, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (data) {
      var layer = L.geoJSON(data, {
        style: PlacesMap.areaStyle, interactive: false,
        onEachFeature: function (f, l) {
          l.on("add", function () { var p = l.getElement(); if (p) { p.setAttribute("data-area", f.properties.name); } });
        }
      }).addTo(map);
      if (data.features && data.features.length) { map.fitBounds(layer.getBounds(), { padding: [10, 10] }); }
      return layer;
    });
  }
};
