// Draw an area on the original page: drag with the mouse (or a finger);
// the four coordinates (page units) fill the labelled fields of the form,
// which keyboard users can type directly. On PDF and Word pages the words
// the area touches (a click touches one) are shown as selected and listed;
// the server selects the same words from the same area.
(function () {
  const sheet = document.getElementById("original-sheet");
  if (!sheet || sheet.dataset.drawable !== "yes") return;
  const width = parseFloat(sheet.dataset.width), height = parseFloat(sheet.dataset.height);
  const drawn = document.getElementById("drawn");
  const fields = ["x0", "y0", "x1", "y1"].map((id) => document.getElementById(id));
  const words = Array.from(sheet.querySelectorAll("rect.word"));
  const listed = document.getElementById("selected-words");
  let start = null;
  function select(x0, y0, x1, y1) {
    const chosen = [];
    words.forEach((w) => {
      const a0 = parseFloat(w.getAttribute("x")), b0 = parseFloat(w.getAttribute("y"));
      const a1 = a0 + parseFloat(w.getAttribute("width")), b1 = b0 + parseFloat(w.getAttribute("height"));
      const hit = a0 <= x1 && x0 <= a1 && b0 <= y1 && y0 <= b1;
      w.classList.toggle("selected", hit);
      if (hit) chosen.push(w.dataset.text);
    });
    if (listed) listed.textContent = chosen.length ? chosen.join(" ") : "none";
  }
  function at(event) {
    const box = sheet.getBoundingClientRect();
    const x = Math.min(Math.max(event.clientX - box.left, 0), box.width);
    const y = Math.min(Math.max(event.clientY - box.top, 0), box.height);
    return [x * width / box.width, y * height / box.height];
  }
  function show(a, b) {
    const x0 = Math.min(a[0], b[0]), y0 = Math.min(a[1], b[1]);
    const x1 = Math.max(a[0], b[0]), y1 = Math.max(a[1], b[1]);
    drawn.setAttribute("x", x0); drawn.setAttribute("y", y0);
    drawn.setAttribute("width", x1 - x0); drawn.setAttribute("height", y1 - y0);
    [x0, y0, x1, y1].forEach((v, i) => { fields[i].value = v.toFixed(1); });
    select(x0, y0, x1, y1);
  }
  sheet.addEventListener("pointerdown", (e) => { start = at(e); sheet.setPointerCapture(e.pointerId); e.preventDefault(); });
  sheet.addEventListener("pointermove", (e) => { if (start) show(start, at(e)); });
  sheet.addEventListener("pointerup", (e) => { if (start) { show(start, at(e)); start = null; } });
})();
