// kg: keeps st-link-analysis's side panel to what a learner reads. The component lists every
// data field of the element selected; Cytoscape needs an id on each element and a source and
// target on each edge, which are ids, not something to read. Rows with any other key go.
(function () {
  "use strict";
  const SHOWN = new Set(["also", "definition", "relations", "evidence", "where"]);

  function tidy(props) {
    for (const row of Array.from(props.querySelectorAll(".infopanel__prop"))) {
      const key = row.querySelector(".infopanel__key");
      if (!key || !SHOWN.has(key.textContent.trim())) {
        row.remove();
      }
    }
  }

  function start() {
    const props = document.getElementById("infopanelProps");
    if (props) {
      // Runs after each rewrite of the panel and before it is painted.
      new MutationObserver(function () { tidy(props); }).observe(props, {childList: true});
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
