// The agent's awards page: new awards arrive over server-sent events (/me/awards/stream/) and
// are added to the table without a reload. The browser reconnects by itself when a stream ends,
// sending the last id it saw, so nothing is shown twice or missed.
(function () {
  "use strict";
  const table = document.getElementById("my-awards");
  if (!table || !window.EventSource) return;
  const url = table.dataset.stream + "?after=" + encodeURIComponent(table.dataset.after || "0");
  const source = new EventSource(url);
  const add = (id, value) => {
    const el = document.getElementById(id);
    if (!el) return;
    const now = parseFloat((el.dataset.value || el.textContent).replace(/,/g, "")) || 0;
    const sum = now + value;
    el.dataset.value = String(sum);
    el.textContent = sum.toLocaleString(undefined, { maximumFractionDigits: 2 });
  };
  source.addEventListener("award", (event) => {
    const a = JSON.parse(event.data);
    if (table.querySelector('tr[data-award="' + a.id + '"]')) return;
    const body = table.tBodies[0];
    const none = body.querySelector("tr.none");
    if (none) none.remove();
    const tr = document.createElement("tr");
    tr.dataset.award = String(a.id);
    tr.className = "new";
    const cells = [[a.at], [a.name], [a.reason], [a.points || "—", true], [a.amount || "—", true]];
    for (const [text, num] of cells) {
      const td = document.createElement("td");
      td.textContent = text;
      if (num) td.className = "num";
      tr.appendChild(td);
    }
    body.insertBefore(tr, body.firstChild);
    add("award-count", 1);
    add("award-points", a.points_value);
    add("award-amount", a.amount_value);
    const live = document.getElementById("award-live");
    if (live) live.textContent = live.dataset.liveText + " " + a.name + " — " + a.reason;
  });
})();
