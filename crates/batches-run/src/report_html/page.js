// Sorting, filtering and previews for the report's table. The rows are in the page as
// HTML; this script only reorders and hides them. Text from files and documents is only
// ever set with textContent.
(function () {
  "use strict";
  var table = document.getElementById("files");
  var body = table.tBodies[0];
  var statusFilter = document.getElementById("status-filter");
  var textFilter = document.getElementById("text-filter");
  var shown = document.getElementById("shown");
  var previewSection = document.getElementById("preview");
  var previewName = document.getElementById("preview-name");
  var previewNote = document.getElementById("preview-note");
  var previewText = document.getElementById("preview-text");
  var previews = null;

  function number(text) {
    return text === undefined || text === "" ? null : Number(text);
  }

  // Empty cells read as missing, so that they sort last.
  var files = Array.prototype.map.call(body.rows, function (row, index) {
    var path = row.cells[0].textContent;
    var error = row.cells[5].textContent;
    var output = row.cells[4].firstElementChild;
    return {
      row: row,
      index: index,
      path: path,
      status: row.getAttribute("data-status"),
      pages: number(row.getAttribute("data-pages")),
      credits: number(row.getAttribute("data-credits")),
      output: output ? output.textContent : null,
      error: error || null,
      haystack: (path + "\n" + error).toLowerCase()
    };
  });

  var sort = { key: null, descending: false };

  // Missing values sort last whatever the direction.
  function compare(a, b) {
    var x = a[sort.key];
    var y = b[sort.key];
    if (x === y || (x === null && y === null)) return a.index - b.index;
    if (x === null) return 1;
    if (y === null) return -1;
    var order = typeof x === "number" ? x - y : x < y ? -1 : x > y ? 1 : 0;
    if (order === 0) return a.index - b.index;
    return sort.descending ? -order : order;
  }

  function sortBy(key) {
    sort.descending = sort.key === key ? !sort.descending : false;
    sort.key = key;
    var ordered = files.slice().sort(compare);
    var fragment = document.createDocumentFragment();
    ordered.forEach(function (file) { fragment.appendChild(file.row); });
    body.appendChild(fragment);
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (cell) {
      var button = cell.querySelector("button");
      var active = button && button.getAttribute("data-key") === key;
      cell.setAttribute("aria-sort", active ? (sort.descending ? "descending" : "ascending") : "none");
    });
  }

  function filter() {
    var status = statusFilter.value;
    var text = textFilter.value.trim().toLowerCase();
    var count = 0;
    files.forEach(function (file) {
      var visible = (status === "" || file.status === status) &&
        (text === "" || file.haystack.indexOf(text) !== -1);
      if (file.row.hidden === visible) file.row.hidden = !visible;
      if (visible) count += 1;
    });
    shown.textContent = count + " of " + files.length + " files shown";
  }

  function showPreview(button) {
    if (previews === null) {
      previews = JSON.parse(document.getElementById("previews").textContent);
    }
    var file = files[Number(button.getAttribute("data-preview"))];
    var preview = previews[button.getAttribute("data-preview")];
    if (!file || !preview) return;
    previewName.textContent = file.output + " (" + file.path + ")";
    previewNote.hidden = !preview.truncated;
    previewText.textContent = preview.text;
    previewSection.hidden = false;
    previewSection.scrollIntoView({ block: "nearest" });
    previewText.focus();
  }

  table.tHead.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-key]");
    if (button) sortBy(button.getAttribute("data-key"));
  });
  body.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-preview]");
    if (button) showPreview(button);
  });
  document.getElementById("preview-close").addEventListener("click", function () {
    previewSection.hidden = true;
  });
  statusFilter.addEventListener("change", filter);
  textFilter.addEventListener("input", filter);
  document.documentElement.classList.add("scripted");
  filter();
})();
