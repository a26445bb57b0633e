// Small behaviours without inline scripts (the Content-Security-Policy forbids them).
document.addEventListener("change", (e) => {
  if (e.target.matches("select[data-autosubmit]")) e.target.form.submit();
});
document.addEventListener("input", (e) => {
  if (!e.target.matches(".unit-filter")) return;
  // typed with or without diacritics: "binh tan" finds "Bình Tân"
  const fold = (s) => s.toLowerCase().replace(/đ/g, "d").normalize("NFD").replace(/[\u0300-\u036f]/g, "");
  const q = fold(e.target.value.trim());
  const list = e.target.parentElement.querySelector(".unit-list");
  for (const label of list.querySelectorAll("label")) {
    label.hidden = q !== "" && !fold(label.dataset.name).includes(q);
  }
});
document.addEventListener("submit", (e) => {
  const message = e.target.dataset.confirm;
  if (message && !window.confirm(message)) e.preventDefault();
});
