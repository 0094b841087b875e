/* Sortable and filterable tables: click a column header to sort by it (again to reverse);
   type in a table's filter box to keep the rows that contain the text. Figures enlarge
   on a click or tap. */
(function () {
  "use strict";

  // Numbers sort as numbers ("0.93", "1.2e-3", "96.1 %", "-"), everything else as text.
  function sortKey(text) {
    const number = parseFloat(text.replace(/[,%×]/g, ""));
    return /^\s*[-+]?(\d|\.\d)/.test(text) && isFinite(number) ? number : null;
  }

  function compare(a, b) {
    const x = sortKey(a), y = sortKey(b);
    if (x !== null && y !== null) return x - y;
    if (x !== null) return -1;  // numbers before words ("n/a")
    if (y !== null) return 1;
    return a.localeCompare(b, undefined, { numeric: true });
  }

  function makeSortable(table) {
    const headers = table.tHead.rows[0].cells;
    const body = table.tBodies[0];
    Array.from(headers).forEach(function (th, column) {
      th.setAttribute("aria-sort", "none");
      th.tabIndex = 0;
      const sort = function () {
        const up = th.getAttribute("aria-sort") !== "ascending";
        Array.from(headers).forEach(function (h) { h.setAttribute("aria-sort", "none"); });
        th.setAttribute("aria-sort", up ? "ascending" : "descending");
        const rows = Array.from(body.rows);
        rows.sort(function (r, s) {
          const order = compare(r.cells[column].textContent, s.cells[column].textContent);
          return up ? order : -order;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      };
      th.addEventListener("click", sort);
      th.addEventListener("keydown", function (e) { if (e.key === "Enter") sort(); });
    });
  }

  function makeFilterable(table) {
    const box = document.getElementById(table.dataset.filter);
    const count = box.nextElementSibling;
    const rows = Array.from(table.tBodies[0].rows);
    const show = function () {
      const words = box.value.toLowerCase().trim().split(/\s+/).filter(Boolean);
      let shown = 0;
      rows.forEach(function (row) {
        const text = row.textContent.toLowerCase();
        const keep = words.every(function (w) { return text.includes(w); });
        row.hidden = !keep;
        shown += keep;
      });
      count.textContent = shown + " of " + rows.length + " rows";
    };
    box.addEventListener("input", show);
    show();
  }

  // A click or tap on a figure toggles it between fitted and its own size.
  document.querySelectorAll(".figure-wrap").forEach(function (wrap) {
    wrap.addEventListener("click", function () { wrap.classList.toggle("zoomed"); });
  });

  document.querySelectorAll("table.sortable").forEach(makeSortable);
  document.querySelectorAll("table[data-filter]").forEach(makeFilterable);
})();
