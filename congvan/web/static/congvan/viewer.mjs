// Render the document's main PDF in the page with the vendored pdf.js (no outside assets).
const box = document.querySelector(".viewer[data-pdf]");
if (box) {
  const status = box.querySelector(".viewer-status");
  try {
    const pdfjs = await import(box.dataset.lib);
    pdfjs.GlobalWorkerOptions.workerSrc = box.dataset.worker;
    const pdf = await pdfjs.getDocument({ url: box.dataset.pdf, isEvalSupported: false }).promise;
    const width = Math.min(box.clientWidth || 800, 900) - 16;
    for (let n = 1; n <= pdf.numPages; n++) {
      const page = await pdf.getPage(n);
      const base = page.getViewport({ scale: 1 });
      const viewport = page.getViewport({ scale: width / base.width });
      const canvas = document.createElement("canvas");
      const ratio = window.devicePixelRatio || 1;
      canvas.width = Math.floor(viewport.width * ratio);
      canvas.height = Math.floor(viewport.height * ratio);
      canvas.className = "pdf-page";
      canvas.setAttribute("aria-label", `Trang ${n}`);
      box.appendChild(canvas);
      await page.render({
        canvasContext: canvas.getContext("2d"),
        viewport,
        transform: ratio !== 1 ? [ratio, 0, 0, ratio, 0, 0] : null,
      }).promise;
    }
    status.remove();
    box.dataset.rendered = String(pdf.numPages);
  } catch (err) {
    status.textContent = "Không hiển thị được tệp PDF / the PDF cannot be shown: " + err.message;
  }
}
