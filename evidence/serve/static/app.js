// evidence serve: the reader's selection → new claim form. No inline script anywhere
// (the Content-Security-Policy forbids it); this file is the page's only script.
"use strict";
(function () {
  const text = document.getElementById("text");
  const start = document.getElementById("sel-start");
  const end = document.getElementById("sel-end");
  const out = document.getElementById("sel-quote");
  if (!text || !start || !end || !out) { return; }

  let points = null; // the text as code points, as the records count them
  function codePoints() {
    if (points === null) { points = Array.from(text.textContent); }
    return points;
  }

  // Code points in the text before (node, offset): a range from the start of the text.
  function offsetOf(node, offset) {
    const range = document.createRange();
    range.setStart(text, 0);
    range.setEnd(node, offset);
    let n = 0;
    for (const _ of range.toString()) { n += 1; }
    return n;
  }

  function preview() {
    const a = parseInt(start.value, 10);
    const b = parseInt(end.value, 10);
    const all = codePoints();
    if (Number.isInteger(a) && Number.isInteger(b) && a >= 0 && b > a && b <= all.length) {
      out.textContent = "«" + all.slice(a, b).join("") + "»";
    } else {
      out.textContent = "(nothing selected)";
    }
  }

  function fromSelection() {
    const sel = window.getSelection();
    if (!sel || sel.rangeCount === 0 || sel.isCollapsed) { return; }
    const range = sel.getRangeAt(0);
    if (!text.contains(range.startContainer) || !text.contains(range.endContainer)) { return; }
    start.value = String(offsetOf(range.startContainer, range.startOffset));
    end.value = String(offsetOf(range.endContainer, range.endOffset));
    preview();
  }

  let timer = null;
  document.addEventListener("selectionchange", function () {
    if (timer !== null) { clearTimeout(timer); }
    timer = setTimeout(fromSelection, 60);
  });
  start.addEventListener("input", preview);
  end.addEventListener("input", preview);

  // A highlight opens its claim (the :target panel); move the focus there for keyboards.
  text.addEventListener("click", function (event) {
    const link = event.target instanceof Element ? event.target.closest("a.hl") : null;
    const sel = window.getSelection();
    if (link && sel && !sel.isCollapsed) {
      event.preventDefault(); // a drag that ends on a highlight selects, it does not jump
    }
  });
  window.addEventListener("hashchange", function () {
    const panel = document.getElementById(location.hash.slice(1));
    if (panel && panel.classList.contains("claim")) { panel.focus({ preventScroll: false }); }
  });
})();
