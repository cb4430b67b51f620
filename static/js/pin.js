// The letter form's optional map pin: a click drops it, dragging moves it, and it writes the latitude and
// longitude fields (which stay visible and typed by hand when there is no JavaScript).
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  var element = document.getElementById("pin-map");
  if (!element || !window.L) { return; }
  var lat = document.getElementById(element.dataset.lat);
  var lng = document.getElementById(element.dataset.long);
  var hint = element.parentNode.querySelector(".pin-hint");
  element.hidden = false;
  if (hint) { hint.hidden = false; }
  var map = PlacesMap.make(element);
  var marker = null;
  PlacesMap.loadAreas(map, element.dataset.areas).catch(function () {});

  function put(latlng, write) {
    if (!marker) {
      marker = L.marker(latlng, { draggable: true, keyboard: true, title: element.getAttribute("aria-label") });
      marker.on("dragend", function () { put(marker.getLatLng(), true); });
      marker.addTo(map);
    } else {
      marker.setLatLng(latlng);
    }
    if (write) {
      lat.value = latlng.lat.toFixed(6);
      lng.value = latlng.lng.toFixed(6);
    }
    element.dataset.pinned = "1";
  }

  map.on("click", function (e) { put(e.latlng, true); });
  function fromFields() {
    var a = parseFloat(lat.value), b = parseFloat(lng.value);
    if (!isNaN(a) && !isNaN(b) && Math.abs(a) <= 90 && Math.abs(b) <= 180) { put(L.latLng(a, b), false); }
  }
  lat.addEventListener("change", fromFields);
  lng.addEventListener("change", fromFields);
  fromFields();  // a form sent back with errors keeps its pin
  var clear = hint && hint.querySelector(".pin-clear");
  if (clear) {
    clear.addEventListener("click", function () {
      if (marker) { map.removeLayer(marker); marker = null; }
      lat.value = ""; lng.value = "";
      delete element.dataset.pinned;
    });
  }
});
