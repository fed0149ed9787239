// Draw an area on the original page: drag with the mouse (or a finger);
// the four coordinates (page units) fill the labelled fields of the form,
// which keyboard users can type directly.
(function () {
  const sheet = document.getElementById("original-sheet");
  if (!sheet || sheet.dataset.drawable !== "yes") return;
  const width = parseFloat(sheet.dataset.width), height = parseFloat(sheet.dataset.height);
  const drawn = document.getElementById("drawn");
  const fields = ["x0", "y0", "x1", "y1"].map((id) => document.getElementById(id));
  let start = null;
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
  }
  sheet.addEventListener("pointerdown", (e) => { start = at(e); sheet.setPointerCapture(e.pointerId); e.preventDefault(); });
  sheet.addEventListener("pointermove", (e) => { if (start) show(start, at(e)); });
  sheet.addEventListener("pointerup", (e) => { if (start) { show(start, at(e)); start = null; } });
})();
