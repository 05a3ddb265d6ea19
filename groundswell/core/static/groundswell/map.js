/*
 * groundswell/map.js: an optional Leaflet map over a list that already works without it.
 *
 * The list stays the primary view; this only adds a map when JavaScript runs. CSP-clean:
 * no inline script, no eval, no HTML strings (popups are built with DOM nodes).
 *
 * Page head (only on pages with a map):
 *   <link rel="stylesheet" href="{% static 'groundswell/vendor/leaflet/leaflet.css' %}">
 *   <script src="{% static 'groundswell/vendor/leaflet/leaflet.js' %}" defer></script>
 *   <script src="{% static 'groundswell/map.js' %}" defer></script>
 *
 * Markup: a container, hidden until the map is drawn (so no-JS visitors see no empty box):
 *   <div class="map" hidden
 *        data-map="map-data"                      id of the JSON block below (optional)
 *        data-map-items="#results"                 or: a selector of elements carrying
 *                                                  data-lat/data-lng/data-title/data-url/
 *                                                  data-detail (optional)
 *        data-tile-url="{{ tile_url }}"            settings.TILE_SERVER_URL ({z}/{x}/{y})
 *        data-attribution="© OpenStreetMap contributors"
 *        data-images="{% static 'groundswell/vendor/leaflet/images/' %}"
 *        role="region" aria-label="Map of …"></div>
 *   {{ map_data|json_script:"map-data" }}   (a data block: not executed, allowed by the CSP)
 *
 * JSON shape:
 *   {"center": [lat, lng] or null,           where the search was centred (optional)
 *    "zoom": 11,                               used when there is a single point (optional)
 *    "markers": [{"lat": 40.75, "lng": -73.99, "title": "Chelsea for Change",
 *                 "url": "/groups/12/", "detail": "New York, NY"}]}
 *
 * Markers get the title as their tooltip and alternative text, and a popup with a link to
 * `url` and the `detail` line. The view fits all markers (and the centre). Nothing is drawn
 * when there are no markers. Each container is drawn once; call
 * window.groundswellMaps.draw(element) for a container added later (e.g. by htmx).
 */
(function () {
  "use strict";

  function readJson(id) {
    var block = id && document.getElementById(id);
    if (!block) {
      return null;
    }
    try {
      return JSON.parse(block.textContent);
    } catch (error) {
      return null;
    }
  }

  function readItems(selector) {
    var root = selector && document.querySelector(selector);
    if (!root) {
      return [];
    }
    var items = root.querySelectorAll("[data-lat][data-lng]");
    return Array.prototype.map.call(items, function (item) {
      return {
        lat: parseFloat(item.dataset.lat),
        lng: parseFloat(item.dataset.lng),
        title: item.dataset.title || "",
        url: item.dataset.url || "",
        detail: item.dataset.detail || ""
      };
    });
  }

  function validPoint(marker) {
    return marker && isFinite(marker.lat) && isFinite(marker.lng);
  }

  function popup(marker) {
    var box = document.createElement("div");
    var title = document.createElement(marker.url ? "a" : "strong");
    title.textContent = marker.title;
    if (marker.url) {
      title.href = marker.url;
    }
    box.appendChild(title);
    if (marker.detail) {
      var detail = document.createElement("div");
      detail.textContent = marker.detail;
      box.appendChild(detail);
    }
    return box;
  }

  function draw(element) {
    if (!window.L || element.dataset.mapDrawn) {
      return;
    }
    var data = readJson(element.dataset.map) || {};
    var markers = (data.markers || []).concat(readItems(element.dataset.mapItems)).filter(validPoint);
    if (!markers.length || !element.dataset.tileUrl) {
      return;
    }
    element.dataset.mapDrawn = "1";
    element.hidden = false;
    if (element.dataset.images) {
      window.L.Icon.Default.imagePath = element.dataset.images;
    }
    var map = window.L.map(element, { scrollWheelZoom: false });
    window.L.tileLayer(element.dataset.tileUrl, {
      maxZoom: 18,
      attribution: element.dataset.attribution || ""
    }).addTo(map);
    var points = [];
    markers.forEach(function (marker) {
      var point = [marker.lat, marker.lng];
      points.push(point);
      window.L.marker(point, { title: marker.title, alt: marker.title, keyboard: true })
        .bindPopup(popup(marker))
        .addTo(map);
    });
    if (validPoint({ lat: (data.center || [])[0], lng: (data.center || [])[1] })) {
      points.push(data.center);
    }
    if (points.length === 1) {
      map.setView(points[0], data.zoom || 11);
    } else {
      map.fitBounds(points, { padding: [24, 24], maxZoom: 13 });
    }
  }

  function drawAll() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-map], [data-map-items]"), draw);
  }

  window.groundswellMaps = { draw: draw };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
