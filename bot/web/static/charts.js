// dealbell's small chart library (vendored, no dependencies): turns each <table class="chart"> into a
// bar chart of its last column drawn above it, and makes <table class="sortable"> sortable by a click on
// a heading. The table stays: the page works and prints without JavaScript.
(function () {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";
  function number(text) {
    var cleaned = String(text).replace(/[^0-9.\-]/g, "");
    return cleaned === "" || cleaned === "-" ? NaN : parseFloat(cleaned);
  }
  function el(name, attributes) {
    var node = document.createElementNS(SVG, name);
    Object.keys(attributes).forEach(function (key) { node.setAttribute(key, attributes[key]); });
    return node;
  }
  function barChart(table) {
    var rows = Array.prototype.slice.call(table.tBodies[0].rows);
    var values = rows.map(function (row) { return number(row.cells[row.cells.length - 1].textContent); });
    var max = Math.max.apply(null, values.filter(function (v) { return !isNaN(v); }).concat([0]));
    if (!rows.length || max <= 0) { return; }
    var width = Math.max(300, rows.length * 14), height = 140, step = width / rows.length;
    var svg = el("svg", { "class": "bars", width: width, height: height + 14, role: "img" });
    rows.forEach(function (row, i) {
      var value = isNaN(values[i]) ? 0 : values[i], h = Math.round(height * value / max);
      var bar = el("rect", { x: i * step + 1, y: height - h, width: Math.max(1, step - 2), height: h });
      var tip = el("title", {}); tip.textContent = row.cells[0].textContent + ": " + row.cells[row.cells.length - 1].textContent;
      bar.appendChild(tip); svg.appendChild(bar);
    });
    table.parentNode.insertBefore(svg, table);
  }
  function sortable(table) {
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, column) {
      th.addEventListener("click", function () {
        var descending = !th.classList.contains("sorted-desc");
        Array.prototype.forEach.call(table.tHead.rows[0].cells, function (c) { c.classList.remove("sorted-asc", "sorted-desc"); });
        th.classList.add(descending ? "sorted-desc" : "sorted-asc");
        var body = table.tBodies[0], rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = a.cells[column].textContent, y = b.cells[column].textContent, nx = number(x), ny = number(y);
          var order = !isNaN(nx) && !isNaN(ny) ? nx - ny : x.localeCompare(y);
          return descending ? -order : order;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("table.chart"), barChart);
    Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), sortable);
  });
})();
