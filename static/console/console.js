// Decision form helpers: dim the partial-refund fields unless the outcome is a partial refund,
// and show what a percentage comes to in yuan (the server computes the real amount).
document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("[data-testid=decision-form]");
  if (!form) return;
  const outcome = form.querySelector("[data-testid=outcome]");
  const percent = form.querySelector("[data-testid=percent]");
  const partial = form.querySelector(".partial");
  const preview = form.querySelector(".percent-preview");
  const paid = Number(form.dataset.orderAmountFen);
  const update = () => {
    partial.classList.toggle("inactive", outcome.value !== "partial_refund");
    const p = Number(percent.value);
    preview.textContent = p > 0 && p <= 100
      ? "= ¥" + (Math.floor((paid * p + 50) / 100) / 100).toFixed(2) : "";
  };
  outcome.addEventListener("change", update);
  percent.addEventListener("input", update);
  update();
});
