/* The in-app camera: the phone's camera in a <video>, a shot drawn to a <canvas> (long side at
   most the page's data-max-side) and sent as JPEG with the canvas size and the page's one-time
   token; the server answers with the next token and whether the shot counts as captured live
   (arbitration/services/capture.py says what it checks). Without a camera, or without
   permission, the page falls back to the normal upload. */
(function () {
  "use strict";

  var root = document.querySelector("[data-capture]");
  if (!root) return;
  var video = root.querySelector("[data-capture-video]");
  var canvas = root.querySelector("[data-capture-canvas]");
  var shoot = root.querySelector("[data-capture-shoot]");
  var status = root.querySelector("[data-capture-status]");
  var grid = root.querySelector("[data-captured]");

  function fallback(message) {
    var box = document.querySelector("[data-capture-fallback]");
    box.querySelector("[data-capture-fallback-text]").textContent = message;
    box.hidden = false;
    root.hidden = true;
  }

  function say(message) { status.textContent = message; }

  function added(evidence) {
    var label = evidence.live ? root.dataset.msgLive : root.dataset.msgSent;
    var figure = document.createElement("figure");
    figure.className = "evidence-item";
    var img = document.createElement("img");
    img.src = evidence.url;
    img.alt = label;
    var caption = document.createElement("figcaption");
    var badge = document.createElement("span");
    badge.className = evidence.live ? "badge live-badge" : "badge";
    badge.textContent = label;
    caption.appendChild(badge);
    figure.appendChild(img);
    figure.appendChild(caption);
    grid.appendChild(figure);
  }

  function send(blob, width, height) {
    var body = new FormData();
    body.append("token", root.dataset.token);
    body.append("width", String(width));
    body.append("height", String(height));
    body.append("photo", blob, "capture.jpg");
    return fetch(root.dataset.uploadUrl, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": root.dataset.csrf },
    }).then(function (response) {
      return response.json().then(function (data) {
        if (data.token) root.dataset.token = data.token;
        if (!response.ok) throw new Error(data.error ? data.error.message : root.dataset.msgFailed);
        added(data.evidence);
        say(data.evidence.live ? root.dataset.msgDone : root.dataset.msgNotLive);
      });
    });
  }

  shoot.addEventListener("click", function () {
    var frameWidth = video.videoWidth, frameHeight = video.videoHeight;
    if (!frameWidth || !frameHeight) return;
    var scale = Math.min(1, parseInt(root.dataset.maxSide, 10) / Math.max(frameWidth, frameHeight));
    var width = Math.max(1, Math.round(frameWidth * scale));
    var height = Math.max(1, Math.round(frameHeight * scale));
    canvas.width = width;
    canvas.height = height;
    canvas.getContext("2d").drawImage(video, 0, 0, width, height);
    shoot.disabled = true;
    say(root.dataset.msgUploading);
    canvas.toBlob(function (blob) {
      send(blob, width, height)
        .catch(function (error) { say(error.message || root.dataset.msgFailed); })
        .then(function () { shoot.disabled = false; });
    }, "image/jpeg", 0.92);
  });

  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    fallback(root.dataset.msgNoCamera);
    return;
  }
  navigator.mediaDevices
    .getUserMedia({ video: { facingMode: { ideal: "environment" } }, audio: false })
    .then(function (stream) {
      video.srcObject = stream;
      return video.play();
    })
    .then(function () { shoot.disabled = false; })
    .catch(function (error) {
      var denied = error && (error.name === "NotAllowedError" || error.name === "SecurityError");
      fallback(denied ? root.dataset.msgDenied : root.dataset.msgNoCamera);
    });
})();
