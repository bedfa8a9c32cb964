// The office pages work without this script; it only lets a supplement request list more
// items than the rows the page starts with.
document.querySelectorAll("[data-add-item]").forEach((button) => {
  button.hidden = false;
  button.addEventListener("click", () => {
    const list = document.getElementById(button.dataset.addItem);
    const rows = list.querySelectorAll("[data-item]");
    const copy = rows[rows.length - 1].cloneNode(true);
    const n = rows.length + 1;
    copy.querySelectorAll("[id]").forEach((el) => { el.id = el.id.replace(/\d+$/, n); });
    copy.querySelectorAll("label[for]").forEach((el) => { el.htmlFor = el.htmlFor.replace(/\d+$/, n); });
    copy.querySelectorAll("input, select").forEach((el) => { el.value = ""; el.removeAttribute("aria-invalid"); });
    copy.querySelectorAll(".error").forEach((el) => el.remove());
    copy.querySelector("[data-n]").textContent = n;
    list.appendChild(copy);
    copy.querySelector("select").focus();
  });
});
