// An open contest's page: the board, one's own place and those not ranked are fetched again
// every minute and swapped in without a reload, so a recomputed cycle (or a judge's new score)
// shows while someone watches. The server decides what each reader may see, as for the page.
(function () {
  "use strict";
  const board = document.getElementById("leaderboard");
  if (!board || !board.dataset.refresh || !window.fetch || !window.DOMParser) return;
  const every = Math.max(15, parseInt(board.dataset.refresh, 10) || 60) * 1000;
  const parts = ["leaderboard", "my-place", "not-ranked-part"];
  const refresh = async () => {
    if (document.hidden) return;
    try {
      const response = await fetch(window.location.href, { credentials: "same-origin" });
      if (!response.ok) return;
      const page = new DOMParser().parseFromString(await response.text(), "text/html");
      for (const id of parts) {
        const now = document.getElementById(id);
        const next = page.getElementById(id);
        if (now && next) now.replaceWith(document.importNode(next, true));
      }
    } catch (e) {
      // offline for a moment: the next round tries again
    }
  };
  window.setInterval(refresh, every);
})();
