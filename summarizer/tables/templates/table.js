"use strict";
(() => {
  document.documentElement.classList.add("js");
  const table = document.querySelector("table.cards");
  const headers = [...table.tHead.rows[0].cells];
  const groups = [...table.tBodies].map((body) => ({
    body,
    counter: body.querySelector("tr.group .rows"),
    rows: [...body.rows].filter((row) => !row.classList.contains("group")),
  }));
  const controls = document.querySelector(".controls");
  const filter = document.getElementById("filter");
  const count = document.getElementById("count");
  const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });
  const total = groups.reduce((sum, group) => sum + group.rows.length, 0);
  let sorted = { column: -1, direction: 1 };
  groups.flatMap((group) => group.rows).forEach((row, order) => { row.dataset.order = order; });

  const cellValue = (row, column, numeric) => {
    const text = row.cells[column].textContent.trim();
    return text === "" ? null : numeric ? Number(text) : text;
  };

  function restripe() {
    let shown = 0;
    for (const group of groups) {
      let visible = 0;
      for (const row of group.rows) {
        if (!row.hidden) row.classList.toggle("alt", visible++ % 2 === 1);
      }
      group.body.hidden = visible === 0;
      if (group.counter) {
        const all = group.rows.length;
        group.counter.textContent = visible === all ? `${all} ${all === 1 ? "row" : "rows"}` : `${visible} of ${all} rows`;
      }
      shown += visible;
    }
    count.textContent = `${shown} of ${total} rows`;
  }

  function sortBy(column) {
    const numeric = headers[column].classList.contains("num");
    const direction = sorted.column === column ? -sorted.direction : 1;
    sorted = { column, direction };
    for (const group of groups) {
      const keyed = group.rows.map((row) => [cellValue(row, column, numeric), row]);
      keyed.sort(([a, rowA], [b, rowB]) => {
        const order = rowA.dataset.order - rowB.dataset.order;
        if (a === null || b === null) return (a === null) - (b === null) || order;
        return direction * (numeric ? a - b : collator.compare(a, b)) || order;
      });
      group.rows = keyed.map(([, row]) => row);
      group.body.append(...group.rows);
    }
    headers.forEach((th, at) => {
      th.setAttribute("aria-sort", at === column ? (direction > 0 ? "ascending" : "descending") : "none");
    });
    restripe();
  }

  headers.forEach((th, column) => {
    const button = document.createElement("button");
    button.type = "button";
    button.append(...th.childNodes);
    th.append(button);
    th.setAttribute("aria-sort", "none");
    button.addEventListener("click", () => sortBy(column));
  });

  filter.addEventListener("input", () => {
    const words = filter.value.toLocaleLowerCase().split(/\s+/).filter(Boolean);
    for (const group of groups) {
      for (const row of group.rows) {
        const text = row.textContent.toLocaleLowerCase();
        row.hidden = !words.every((word) => text.includes(word));
      }
    }
    restripe();
  });

  controls.hidden = false;
  restripe();
})();
