// The office screen: the weekly board and goal bars, replaced live from server-sent events; a
// celebration when the week's wins go up. No reload, no other request than the event stream.
(function () {
  "use strict";
  var wins = null;
  function rows(tbody, list, cells) {
    while (tbody.firstChild) { tbody.removeChild(tbody.firstChild); }
    list.forEach(function (item) {
      var tr = document.createElement("tr");
      cells(item).forEach(function (value) {
        var td = document.createElement("td");
        if (value instanceof Node) { td.appendChild(value); } else { td.textContent = value; }
        tr.appendChild(td);
      });
      tbody.appendChild(tr);
    });
  }
  function meter(percent) {
    var m = document.createElement("meter");
    m.min = 0; m.max = 100; m.value = Math.min(100, percent); return m;
  }
  function show(data) {
    rows(document.getElementById("board"), data.board, function (r) { return [r.rank, r.name, r.amount, r.deals]; });
    rows(document.getElementById("goals"), data.goals, function (g) { return [g.name, meter(g.percent), g.percent + "%"]; });
    if (wins !== null && data.wins > wins) {
      document.getElementById("celebration").textContent = data.celebration;
      document.body.classList.add("celebrate");
      setTimeout(function () { document.body.classList.remove("celebrate"); }, 6000);
    }
    wins = data.wins;
    document.body.setAttribute("data-wins", String(wins));
  }
  document.addEventListener("DOMContentLoaded", function () {
    var source = new EventSource(window.location.pathname + "/events");
    source.addEventListener("board", function (event) { show(JSON.parse(event.data)); });
  });
})();
