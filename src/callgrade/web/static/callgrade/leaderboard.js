// An open contest's page: the board, one's own place, those not ranked and when the figures were
// counted arrive over server-sent events (/contests/<id>/stream/) whenever they change — live
// contests as calls are answered and awards granted — and are swapped in without a reload. The
// server decides what each reader may see, as for the page. The browser reconnects by itself
// when a stream ends, sending the version it has, so an unchanged board is not sent again.
(function () {
  "use strict";
  const part = document.getElementById("board-part");
  if (!part || !part.dataset.stream || !window.EventSource || !window.DOMParser) return;
  const url = part.dataset.stream + "?version=" + encodeURIComponent(part.dataset.version || "");
  const source = new EventSource(url);
  source.addEventListener("board", (event) => {
    const html = JSON.parse(event.data).html;
    const page = new DOMParser().parseFromString("<div>" + html + "</div>", "text/html");
    const fresh = page.body.firstChild;
    part.replaceChildren(...Array.from(fresh.childNodes).map((n) => document.importNode(n, true)));
    part.dataset.version = event.lastEventId;
  });
  // a closed contest answers 204: EventSource then stops by itself
})();
