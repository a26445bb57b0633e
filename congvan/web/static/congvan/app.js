// Small behaviours without inline scripts (the Content-Security-Policy forbids them).
document.addEventListener("change", (e) => {
  if (e.target.matches("select[data-autosubmit]")) e.target.form.submit();
});
document.addEventListener("input", (e) => {
  if (!e.target.matches(".unit-filter")) return;
  const q = e.target.value.trim().toLowerCase();
  const list = e.target.parentElement.querySelector(".unit-list");
  for (const label of list.querySelectorAll("label")) {
    label.hidden = q !== "" && !label.dataset.name.includes(q);
  }
});
document.addEventListener("submit", (e) => {
  const message = e.target.dataset.confirm;
  if (message && !window.confirm(message)) e.preventDefault();
});
