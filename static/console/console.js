// Region boxes carry their place in data-box (the Content-Security-Policy refuses style
// attributes in the markup; styles set through the CSSOM are allowed).
const placeRegions = (root) => {
  root.querySelectorAll("[data-box]").forEach((box) => {
    box.style.cssText = box.dataset.box;
  });
};
document.addEventListener("DOMContentLoaded", () => placeRegions(document));
document.addEventListener("htmx:load", (event) => placeRegions(event.target));

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

// Heatmaps open large beside the photo they were computed from, region boxes included (the
// link still works without script: it opens the heatmap itself).
document.addEventListener("click", (event) => {
  const link = event.target.closest("a[data-enlarge]");
  if (!link || event.ctrlKey || event.metaKey || event.shiftKey) return;
  event.preventDefault();
  const dialog = document.createElement("dialog");
  dialog.className = "enlarge";
  const bar = document.createElement("div");
  bar.className = "bar";
  const title = document.createElement("span");
  title.textContent = link.dataset.title || "";
  const close = document.createElement("button");
  close.type = "button";
  close.textContent = "×";
  close.addEventListener("click", () => dialog.close());
  bar.append(title, close);
  const pair = document.createElement("div");
  pair.className = "pair";
  // The photo with its region boxes, as drawn on the card, then the heatmap.
  const frame = link.closest(".visual")?.querySelector(".frame");
  if (frame) pair.append(frame.cloneNode(true));
  const heatmap = document.createElement("img");
  heatmap.src = link.href;
  heatmap.alt = link.dataset.title || "";
  heatmap.className = "heatmap-large";
  pair.append(heatmap);
  dialog.append(bar, pair);
  dialog.addEventListener("close", () => dialog.remove());
  dialog.addEventListener("click", (e) => { if (e.target === dialog) dialog.close(); });
  document.body.append(dialog);
  dialog.showModal();
});
