// The evidence viewer of the console: the photo at full resolution with zoom (buttons, wheel,
// + and -) and pan (drag, arrow keys), its region boxes, and a heatmap laid over it with an
// opacity slider and a legend. "Compare" opens the listing photo and the claim photo side by
// side with one zoom and pan for both, the changed area boxed. Opened by the buttons on the
// page and by the "z" shortcut (console.js).
(() => {
  const MIN = 1;
  const MAX = 12;
  const text = () => document.getElementById("viewer-text")?.dataset || {};

  function frameOf(figure) {
    const frame = figure.querySelector(".frame");
    if (!frame) return null;
    const copy = frame.cloneNode(true);
    const img = copy.querySelector("img");
    const full = figure.querySelector("a.thumb")?.getAttribute("href");
    if (img && full) {
      img.src = full; // the original, at full resolution
      img.removeAttribute("srcset");
      img.loading = "eager";
    }
    return copy;
  }

  function button(label, key, onClick) {
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = label;
    b.dataset.viewer = key;
    b.addEventListener("click", onClick);
    return b;
  }

  function open(figure, compareWith) {
    const t = text();
    const dialog = document.createElement("dialog");
    dialog.className = "viewer";
    dialog.dataset.testid = "viewer";
    dialog.setAttribute("data-testid", "viewer");
    const state = { scale: 1, x: 0, y: 0 };
    const canvases = [];
    const stages = document.createElement("div");
    stages.className = "viewer-stages" + (compareWith ? " is-pair" : "");

    const addStage = (fig, caption) => {
      const frame = frameOf(fig);
      if (!frame) return null;
      const stage = document.createElement("div");
      stage.className = "viewer-stage";
      const canvas = document.createElement("div");
      canvas.className = "viewer-canvas";
      canvas.append(frame);
      stage.append(canvas);
      const label = document.createElement("p");
      label.className = "viewer-caption";
      label.textContent = caption;
      stage.append(label);
      stages.append(stage);
      canvases.push(canvas);
      return { stage, frame };
    };

    if (compareWith) addStage(compareWith, t.listing || "");
    const main = addStage(figure, compareWith ? t.claim || "" : figure.querySelector("figcaption")?.textContent.trim() || "");
    if (!main) return;

    const zoomLabel = document.createElement("span");
    zoomLabel.className = "viewer-zoom";
    zoomLabel.setAttribute("data-testid", "viewer-zoom");
    const apply = () => {
      state.scale = Math.min(MAX, Math.max(MIN, state.scale));
      if (state.scale === MIN) state.x = state.y = 0;
      const transform = `translate(${state.x}px, ${state.y}px) scale(${state.scale})`;
      canvases.forEach((canvas) => { canvas.style.transform = transform; });
      zoomLabel.textContent = Math.round(state.scale * 100) + "%";
    };
    const zoom = (factor, cx = 0, cy = 0) => {
      const before = state.scale;
      state.scale = Math.min(MAX, Math.max(MIN, state.scale * factor));
      const k = state.scale / before;
      state.x = cx - (cx - state.x) * k;
      state.y = cy - (cy - state.y) * k;
      apply();
    };

    const bar = document.createElement("div");
    bar.className = "viewer-bar";
    const title = document.createElement("strong");
    title.textContent = compareWith ? t.compare || "" : t.title || "";
    bar.append(
      title,
      button("−", "out", () => zoom(1 / 1.5)),
      zoomLabel,
      button("+", "in", () => zoom(1.5)),
      button(t.fit || "1:1", "fit", () => { state.scale = 1; apply(); }),
    );

    // The heatmap of the claim photo over it, at the opacity the slider sets.
    const heatmaps = Array.from(figure.querySelectorAll("a.heatmap"));
    if (heatmaps.length) {
      const overlay = document.createElement("img");
      overlay.className = "heatmap-overlay";
      overlay.alt = "";
      overlay.setAttribute("data-testid", "viewer-heatmap");
      overlay.hidden = true;
      main.frame.append(overlay);
      const choose = document.createElement("select");
      choose.setAttribute("aria-label", t.heatmap || "");
      choose.setAttribute("data-testid", "viewer-heatmap-choice");
      const none = new Option(t.noHeatmap || "—", "");
      choose.append(none, ...heatmaps.map((a) => new Option(a.querySelector(".heatmap-label")?.textContent || "", a.href)));
      const opacity = document.createElement("input");
      opacity.type = "range";
      opacity.min = "0";
      opacity.max = "100";
      opacity.value = "60";
      opacity.setAttribute("aria-label", t.opacity || "");
      opacity.setAttribute("data-testid", "viewer-opacity");
      const legend = document.createElement("span");
      legend.className = "viewer-legend";
      legend.setAttribute("data-testid", "viewer-legend");
      legend.textContent = t.legend || "";
      legend.hidden = true;
      const show = () => {
        overlay.hidden = !choose.value;
        legend.hidden = !choose.value;
        if (choose.value) overlay.src = choose.value;
        overlay.style.opacity = String(Number(opacity.value) / 100);
      };
      choose.addEventListener("change", show);
      opacity.addEventListener("input", show);
      bar.append(choose, opacity, legend);
    }
    const close = button("×", "close", () => dialog.close());
    close.setAttribute("aria-label", t.close || "");
    bar.append(close);

    // Drag to pan, wheel to zoom around the pointer; both stages move together.
    let drag = null;
    stages.addEventListener("pointerdown", (e) => {
      drag = { x: e.clientX - state.x, y: e.clientY - state.y };
      stages.setPointerCapture(e.pointerId);
    });
    stages.addEventListener("pointermove", (e) => {
      if (!drag || state.scale === MIN) return;
      state.x = e.clientX - drag.x;
      state.y = e.clientY - drag.y;
      apply();
    });
    stages.addEventListener("pointerup", () => { drag = null; });
    stages.addEventListener("wheel", (e) => {
      e.preventDefault();
      const box = e.target.closest(".viewer-stage").getBoundingClientRect();
      zoom(e.deltaY < 0 ? 1.25 : 0.8, e.clientX - box.left, e.clientY - box.top);
    }, { passive: false });
    dialog.addEventListener("keydown", (e) => {
      const step = 60;
      const keys = {
        "+": () => zoom(1.5), "=": () => zoom(1.5), "-": () => zoom(1 / 1.5),
        "0": () => { state.scale = 1; apply(); },
        ArrowLeft: () => { state.x += step; apply(); }, ArrowRight: () => { state.x -= step; apply(); },
        ArrowUp: () => { state.y += step; apply(); }, ArrowDown: () => { state.y -= step; apply(); },
      };
      if (keys[e.key]) { e.preventDefault(); keys[e.key](); }
    });

    dialog.append(bar, stages);
    dialog.addEventListener("close", () => dialog.remove());
    document.body.append(dialog);
    apply();
    dialog.showModal();
  }

  document.addEventListener("click", (event) => {
    const zoomButton = event.target.closest("[data-zoom]");
    if (zoomButton) {
      open(zoomButton.closest("figure.evidence-item"));
      return;
    }
    const compare = event.target.closest("[data-compare]");
    if (compare) {
      const figures = compare.closest(".comparison").querySelectorAll(".pair > figure");
      open(figures[1], figures[0]);
    }
  });

  window.tianpingViewer = { open: (figure) => open(figure) };
})();
