// The document's main PDF in the page, with the vendored pdf.js (no outside assets). Pages are drawn as
// they come near the view and dropped when far from it (an 80-page file opens at once, memory bounded);
// page number and jump, zoom (fit width, in, out), download and print (the PDF in a tab of its own).
const box = document.querySelector(".viewer[data-pdf]");
const KEEP = 6; // pages kept drawn around the one in view

async function main() {
  const status = box.querySelector(".viewer-status");
  const holder = box.querySelector(".viewer-pages");
  const bar = box.querySelector(".viewer-bar");
  const pageInput = box.querySelector(".viewer-page");
  try {
    const pdfjs = await import(box.dataset.lib);
    pdfjs.GlobalWorkerOptions.workerSrc = box.dataset.worker;
    const pdf = await pdfjs.getDocument({ url: box.dataset.pdf, isEvalSupported: false }).promise;
    const first = await pdf.getPage(1);
    const base = first.getViewport({ scale: 1 });
    const fit = () => (Math.min(holder.clientWidth || box.clientWidth || 800, 1200) - 16) / base.width;
    let scale = fit();
    const slots = [];
    for (let n = 1; n <= pdf.numPages; n++) {
      const slot = document.createElement("div");
      slot.className = "pdf-slot";
      slot.dataset.page = String(n);
      slot.setAttribute("aria-label", `${box.dataset.pageLabel} ${n}`);
      holder.appendChild(slot);
      slots.push(slot);
    }
    const size = () => {
      for (const slot of slots) {
        slot.style.width = `${Math.floor(base.width * scale)}px`;
        slot.style.height = `${Math.floor(base.height * scale)}px`;
      }
    };
    size();
    const drawn = new Map(); // page number -> its canvas
    let current = 1;

    async function draw(n) {
      if (drawn.has(n)) return;
      const slot = slots[n - 1];
      const canvas = document.createElement("canvas");
      canvas.className = "pdf-page";
      drawn.set(n, canvas);
      const page = await pdf.getPage(n);
      const viewport = page.getViewport({ scale });
      const ratio = window.devicePixelRatio || 1;
      canvas.width = Math.floor(viewport.width * ratio);
      canvas.height = Math.floor(viewport.height * ratio);
      canvas.style.width = `${Math.floor(viewport.width)}px`;
      slot.style.width = canvas.style.width;
      slot.style.height = `${Math.floor(viewport.height)}px`;
      slot.replaceChildren(canvas);
      await page.render({
        canvasContext: canvas.getContext("2d"),
        viewport,
        transform: ratio !== 1 ? [ratio, 0, 0, ratio, 0, 0] : null,
      }).promise;
      box.dataset.drawn = String(drawn.size);
    }

    function drop(far) {
      for (const [n, canvas] of drawn) {
        if (Math.abs(n - far) > KEEP) {
          canvas.width = canvas.height = 0; // give the memory back
          slots[n - 1].replaceChildren();
          drawn.delete(n);
        }
      }
      box.dataset.drawn = String(drawn.size);
    }

    const watcher = new IntersectionObserver(
      (entries) => {
        for (const e of entries) {
          if (e.isIntersecting) draw(Number(e.target.dataset.page));
        }
      },
      { root: holder, rootMargin: "100% 0px" },
    );
    // the page in view: the one a third of the way down the viewer
    let pending = false;
    holder.addEventListener("scroll", () => {
      if (pending) return;
      pending = true;
      requestAnimationFrame(() => {
        pending = false;
        const y = holder.scrollTop + holder.clientHeight / 3;
        const slot = slots.find((s) => s.offsetTop <= y && y < s.offsetTop + s.offsetHeight);
        if (slot && Number(slot.dataset.page) !== current) {
          current = Number(slot.dataset.page);
          pageInput.value = String(current);
          drop(current);
        }
      });
    });
    slots.forEach((s) => watcher.observe(s));

    function go(n) {
      n = Math.max(1, Math.min(pdf.numPages, n));
      current = n;
      pageInput.value = String(n);
      slots[n - 1].scrollIntoView({ block: "start" });
      draw(n);
      drop(n);
    }

    function zoom(next) {
      scale = next;
      for (const canvas of drawn.values()) canvas.width = canvas.height = 0;
      drawn.clear();
      slots.forEach((s) => s.replaceChildren());
      size();
      go(current);
      for (const s of slots) {
        watcher.unobserve(s); // observed again: the pages in view are reported (and drawn) anew
        watcher.observe(s);
      }
    }

    bar.addEventListener("click", (e) => {
      const b = e.target.closest("button");
      if (!b) return;
      if (b.dataset.go) go(current + Number(b.dataset.go));
      if (b.dataset.zoom === "fit") zoom(fit());
      else if (b.dataset.zoom) zoom(Math.max(0.25, Math.min(4, scale * Number(b.dataset.zoom))));
    });
    pageInput.addEventListener("change", () => go(Number(pageInput.value) || 1));
    thumbnails(pdf, base, go);
    box.querySelector(".viewer-count").textContent = String(pdf.numPages);
    pageInput.max = String(pdf.numPages);
    bar.hidden = false;
    status.remove();
    await draw(1);
    box.dataset.pages = String(pdf.numPages);
    box.dataset.rendered = String(pdf.numPages); // ready: every page can be shown
  } catch (err) {
    status.textContent = `${box.dataset.error}: ${err.message}`;
  }
}

// On a wide screen, small pages beside the document (drawn as they scroll into the strip); a click opens one.
function thumbnails(pdf, base, go) {
  const strip = box.querySelector(".viewer-thumbs");
  if (!strip || !window.matchMedia("(min-width: 1100px)").matches) return;
  const scale = 96 / base.width;
  const seen = new IntersectionObserver(
    async (entries) => {
      for (const e of entries) {
        if (!e.isIntersecting || e.target.dataset.drawn) continue;
        e.target.dataset.drawn = "1";
        seen.unobserve(e.target);
        const page = await pdf.getPage(Number(e.target.dataset.page));
        const viewport = page.getViewport({ scale });
        const canvas = document.createElement("canvas");
        canvas.width = Math.floor(viewport.width);
        canvas.height = Math.floor(viewport.height);
        e.target.prepend(canvas);
        await page.render({ canvasContext: canvas.getContext("2d"), viewport }).promise;
      }
    },
    { root: strip, rootMargin: "200px 0px" },
  );
  for (let n = 1; n <= pdf.numPages; n++) {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "thumb";
    b.dataset.page = String(n);
    b.style.minHeight = `${Math.floor(base.height * scale) + 18}px`;
    const label = document.createElement("span");
    label.textContent = String(n);
    b.append(label);
    b.addEventListener("click", () => go(n));
    strip.append(b);
    seen.observe(b);
  }
  strip.hidden = false;
}

if (box) main();
