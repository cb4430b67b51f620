// The supervisors' case map: areas shaded by their case count (with the count as a label), the cases as
// clustered markers; the filters are the page's query string, passed on to the data URL.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  var element = document.getElementById("case-map");
  if (!element || !window.L) { return; }
  var map = PlacesMap.make(element);
  fetch(element.dataset.url, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (data) {
    var max = 1;
    data.areas.features.forEach(function (f) { max = Math.max(max, f.properties.count || 0); });
    var areas = L.geoJSON(data.areas, {
      style: function (f) {
        var share = (f.properties.count || 0) / max;
        return { color: "#2b5c8a", weight: f.properties.kind === "street" ? 1 : 2, fillColor: "#d9480f",
                 fillOpacity: 0.05 + 0.45 * share };
      },
      onEachFeature: function (f, layer) {
        var text = f.properties.name + ": " + (f.properties.count || 0);
        layer.bindTooltip(text, { permanent: f.properties.kind !== "street", direction: "center",
                                  className: "area-label" });
        layer.on("add", function () {
          var path = layer.getElement();
          if (path) { path.setAttribute("data-area", f.properties.name); path.setAttribute("data-count", f.properties.count || 0); }
        });
      }
    }).addTo(map);
    var cluster = L.markerClusterGroup({ showCoverageOnHover: false });
    data.points.forEach(function (p) {
      var marker = L.marker([p.lat, p.lon], { title: p.number });
      var link = document.createElement("a");
      link.href = p.url;
      link.textContent = p.number + " " + p.subject;
      var box = document.createElement("div");
      box.appendChild(link);
      box.appendChild(document.createElement("br"));
      box.appendChild(document.createTextNode(p.status_label));
      marker.bindPopup(box);
      cluster.addLayer(marker);
    });
    map.addLayer(cluster);
    var bounds = areas.getBounds();
    if (cluster.getLayers().length) { bounds = bounds.isValid() ? bounds.extend(cluster.getBounds()) : cluster.getBounds(); }
    if (bounds.isValid()) { map.fitBounds(bounds, { padding: [20, 20] }); }
    element.dataset.points = String(data.points.length);
    element.dataset.ready = "1";
  });
});
