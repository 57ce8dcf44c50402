// Region boxes carry their place in data-box (the Content-Security-Policy refuses style
// attributes in the markup; styles set through the CSSOM are allowed).
const placeRegions = (root) => {
  root.querySelectorAll("[data-box]").forEach((box) => {
    box.style.cssText = box.dataset.box;
  });
};
document.addEventListener("DOMContentLoaded", () => placeRegions(document));
document.addEventListener("htmx:load", (event) => placeRegions(event.target));

// The console's dispute page: the decision form's helpers (one percentage base, the claim;
// a confirmation before money is recorded) and the keyboard shortcuts of a day's work
// (next/previous evidence, zoom, the decision form, ? for help). The viewer is viewer.js.

const yuanText = (fen) => "¥" + (Math.floor(fen) / 100).toFixed(2);
const percentOf = (base, p) => Math.floor((base * p + 50) / 100); // services.common.percent_of

function refundFen(form) {
  const outcome = form.querySelector("[data-testid=outcome]").value;
  const order = Number(form.dataset.orderFen);
  if (outcome === "full_refund" || outcome === "return_and_refund") return order;
  if (outcome !== "partial_refund") return 0;
  const amount = form.querySelector("[data-testid=amount]").value.trim();
  if (amount) return Math.round(Number(amount) * 100);
  const p = Number(form.querySelector("[data-testid=percent]").value);
  return p > 0 && p <= 100 ? percentOf(Number(form.dataset.claimedFen), p) : 0;
}

function decisionForm(form) {
  const outcome = form.querySelector("[data-testid=outcome]");
  const percent = form.querySelector("[data-testid=percent]");
  const partial = form.querySelector(".partial");
  const preview = form.querySelector(".percent-preview");
  const order = Number(form.dataset.orderFen);
  const update = () => {
    partial.classList.toggle("inactive", outcome.value !== "partial_refund");
    const p = Number(percent.value);
    if (!(p > 0 && p <= 100)) {
      preview.textContent = "";
      return;
    }
    const fen = percentOf(Number(form.dataset.claimedFen), p);
    const share = order ? ((fen * 100) / order).toFixed(1) : "0";
    preview.textContent = "= " + yuanText(fen) + " (" + share + "% / " + yuanText(order) + ")";
  };
  outcome.addEventListener("change", update);
  percent.addEventListener("input", update);
  update();
  form.addEventListener("submit", (event) => {
    const fen = refundFen(form);
    if (fen > 0 && !window.confirm(form.dataset.confirm.replace("{amount}", yuanText(fen)))) {
      event.preventDefault();
    }
  });
}

// --- keyboard shortcuts -------------------------------------------------------------------

const items = () => Array.from(document.querySelectorAll(".dispute-main figure.evidence-item"));
let current = -1;

function select(index) {
  const all = items();
  if (!all.length) return;
  current = (index + all.length) % all.length;
  all.forEach((item, i) => item.classList.toggle("is-current", i === current));
  all[current].scrollIntoView({ block: "center", behavior: "auto" });
  all[current].querySelector("a.thumb")?.focus({ preventScroll: true });
}

function openDecision() {
  const form = document.getElementById("decision-form");
  if (!form) return;
  form.scrollIntoView({ block: "start" });
  form.querySelector("[data-testid=outcome]").focus();
}

function toggleHelp() {
  const help = document.getElementById("shortcut-help");
  if (!help) return;
  if (help.open) help.close();
  else help.showModal();
}

const typing = (el) => el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));

document.addEventListener("keydown", (event) => {
  if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
  if (document.querySelector("dialog[open].viewer")) return; // the viewer has its own keys
  const actions = {
    j: () => select(current + 1),
    k: () => select(current - 1),
    z: () => {
      if (current < 0) select(0);
      const item = items()[current];
      if (item && window.tianpingViewer) window.tianpingViewer.open(item);
    },
    d: openDecision,
    "?": toggleHelp,
  };
  const action = actions[event.key];
  if (!action) return;
  event.preventDefault();
  action();
});

document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("[data-testid=decision-form]");
  if (form) decisionForm(form);
  document.querySelectorAll("[data-open-help]").forEach((button) =>
    button.addEventListener("click", toggleHelp),
  );
  document.querySelectorAll("[data-close-help]").forEach((button) =>
    button.addEventListener("click", toggleHelp),
  );
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
