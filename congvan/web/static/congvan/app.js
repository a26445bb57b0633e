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
// On a phone the filters fold away (unless some are in use): the documents come first.
if (window.matchMedia("(max-width: 720px)").matches) {
  for (const d of document.querySelectorAll("details.fold[data-fold]")) d.open = false;
}
// On a phone the header folds into a menu.
document.addEventListener("click", (e) => {
  const toggle = e.target.closest("#menu-toggle");
  if (!toggle) return;
  const open = toggle.getAttribute("aria-expanded") !== "true";
  toggle.setAttribute("aria-expanded", String(open));
  document.getElementById("top-menu").classList.toggle("open", open);
});
document.addEventListener("submit", (e) => {
  const message = e.target.dataset.confirm;
  if (message && !window.confirm(message)) e.preventDefault();
});
