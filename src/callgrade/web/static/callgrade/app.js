// Each table cell learns its column's name (data-label), so that on a phone, where a table row
// is shown as a card, every value keeps its label. Without this script the cards show the
// values alone; nothing else depends on it.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("main table").forEach(function (table) {
    var heads = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
      return th.textContent.trim();
    });
    if (!heads.length) return;
    table.querySelectorAll("tbody tr").forEach(function (row) {
      var column = 0;
      Array.prototype.forEach.call(row.children, function (cell) {
        if (heads[column] && !cell.hasAttribute("data-label")) cell.setAttribute("data-label", heads[column]);
        column += cell.colSpan || 1;
      });
    });
  });
});

// A chart is an image to a screen reader (role="img", its title as the label); the numbers it
// draws follow it as a visually hidden table, written by the script that draws the chart when
// the numbers arrive with it (pages that have them at hand render the table themselves).
function chartTable(chart, columns, rows) {
  if (!chart) return;
  var id = chart.id + "-data", table = document.getElementById(id);
  if (!table) {
    table = document.createElement("table");
    table.id = id;
    table.className = "visually-hidden";
    chart.insertAdjacentElement("afterend", table);
  }
  table.textContent = "";
  table.createCaption().textContent = chart.getAttribute("aria-label") || "";
  var head = table.createTHead().insertRow();
  columns.forEach(function (c) {
    var th = document.createElement("th");
    th.scope = "col";
    th.textContent = c;
    head.appendChild(th);
  });
  var body = table.createTBody();
  rows.forEach(function (r) {
    var row = body.insertRow();
    r.forEach(function (v) { row.insertCell().textContent = v === null || v === undefined || v === "" ? "—" : String(v); });
  });
}

// A select marked data-autosubmit sends its form when it changes (the language switch, the
// scorecard's cycle and period): a listener here, as the Content-Security-Policy forbids
// inline event handlers.
document.addEventListener("change", function (event) {
  var el = event.target;
  if (el instanceof HTMLSelectElement && el.hasAttribute("data-autosubmit") && el.form) el.form.submit();
});
