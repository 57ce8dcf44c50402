/* The photo picker of every upload form: up to nine slots with thumbnails, a count (0/9),
   removal of a chosen file, and a type check on the file's first bytes, so a text file
   renamed .jpg is refused before it is sent. The chosen files live in the <input>'s own
   FileList (rebuilt with DataTransfer), so htmx and a plain form post send the same thing;
   when the server answers with the form again (an error), the files are put back. */
(function () {
  "use strict";

  var kept = {}; // form key -> File[] of the last submission, restored after an error

  function startsWith(bytes, offset, list) {
    for (var i = 0; i < list.length; i++) if (bytes[offset + i] !== list[i]) return false;
    return true;
  }

  function ascii(bytes, from, to) {
    return String.fromCharCode.apply(null, Array.prototype.slice.call(bytes, from, to));
  }

  /* "image", "video" or null, from the signature of the first 16 bytes. */
  function sniff(bytes) {
    if (startsWith(bytes, 0, [0xff, 0xd8, 0xff])) return "image"; // JPEG
    if (startsWith(bytes, 0, [0x89, 0x50, 0x4e, 0x47])) return "image"; // PNG
    if (ascii(bytes, 0, 4) === "GIF8") return "image";
    if (ascii(bytes, 0, 4) === "RIFF" && ascii(bytes, 8, 12) === "WEBP") return "image";
    if (ascii(bytes, 4, 8) === "ftyp") {
      var brand = ascii(bytes, 8, 12);
      if (/^(heic|heix|heim|heis|hevc|hevx|mif1|msf1|avif)$/.test(brand)) return "image";
      return "video"; // isom, mp41, mp42, avc1, M4V, qt...: an MP4 family container
    }
    return null;
  }

  function check(file) {
    return file.slice(0, 16).arrayBuffer().then(function (buffer) {
      return sniff(new Uint8Array(buffer));
    });
  }

  function setFiles(input, files) {
    var transfer = new DataTransfer();
    files.forEach(function (file) { transfer.items.add(file); });
    input.files = transfer.files;
  }

  function formKey(form) {
    return form.getAttribute("action") || form.id || "";
  }

  function Picker(input) {
    this.input = input;
    this.form = input.closest("form");
    this.max = parseInt(input.getAttribute("data-max") || "9", 10);
    this.files = Array.prototype.slice.call(input.files || []);
    this.box = this.form.querySelector("[data-previews]");
    this.count = this.form.querySelector("[data-picker-count]");
    this.note = this.form.querySelector("[data-picker-note]");
    this.messages = this.box ? this.box.dataset : {}; // data-refused, data-full, data-remove...
    input.classList.add("picker-input");
    input.setAttribute("data-picker-ready", "");
    var restored = kept[formKey(this.form)];
    if (restored && restored.length && !this.files.length) {
      this.files = restored.slice();
      setFiles(input, this.files);
      this.say(this.messages.kept || "");
    }
    this.render();
  }

  Picker.prototype.say = function (text) {
    if (this.note) this.note.textContent = text;
  };

  Picker.prototype.add = function (chosen) {
    var self = this;
    var refused = [];
    var full = false;
    return Promise.all(chosen.map(check)).then(function (kinds) {
      chosen.forEach(function (file, i) {
        if (!kinds[i]) refused.push(file.name);
        else if (self.files.length >= self.max) full = true;
        else self.files.push(file);
      });
      setFiles(self.input, self.files);
      var notes = [];
      if (refused.length) notes.push((self.messages.refused || "{names}").replace("{names}", refused.join(", ")));
      if (full) notes.push((self.messages.full || "").replace("{max}", self.max));
      self.say(notes.join(" "));
      self.render();
    });
  };

  Picker.prototype.remove = function (index) {
    this.files.splice(index, 1);
    setFiles(this.input, this.files);
    this.say("");
    this.render();
  };

  Picker.prototype.render = function () {
    if (!this.box) return;
    this.box.querySelectorAll("img,video").forEach(function (el) { URL.revokeObjectURL(el.src); });
    this.box.textContent = "";
    var self = this;
    this.files.forEach(function (file, index) {
      var slot = document.createElement("div");
      slot.className = "slot is-filled";
      slot.setAttribute("data-testid", "picker-slot");
      var media;
      if (file.type.indexOf("video/") === 0) {
        media = document.createElement("video");
        media.muted = true;
        media.preload = "metadata";
      } else {
        media = document.createElement("img");
        media.alt = file.name;
      }
      media.src = URL.createObjectURL(file);
      var remove = document.createElement("button");
      remove.type = "button";
      remove.className = "slot-remove";
      remove.setAttribute("data-testid", "picker-remove");
      remove.setAttribute("aria-label", (self.messages.remove || "{name}").replace("{name}", file.name));
      remove.addEventListener("click", function () { self.remove(index); });
      slot.appendChild(media);
      slot.appendChild(remove);
      self.box.appendChild(slot);
    });
    if (this.files.length < this.max) {
      var add = document.createElement("label");
      add.className = "slot slot-add";
      add.setAttribute("for", this.input.id);
      add.setAttribute("data-testid", "picker-add");
      add.textContent = "+";
      var hint = document.createElement("span");
      hint.textContent = this.messages.add || "";
      add.appendChild(hint);
      this.box.appendChild(add);
    }
    if (this.count) {
      this.count.hidden = false;
      this.count.textContent = this.files.length + "/" + this.max;
    }
  };

  function pickerOf(input) {
    if (!input.__picker) input.__picker = new Picker(input);
    return input.__picker;
  }

  function init(root) {
    var inputs = root.querySelectorAll ? root.querySelectorAll("input[type=file][data-picker]") : [];
    Array.prototype.forEach.call(inputs, pickerOf);
  }

  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("input[type=file][data-picker]")) return;
    var picker = pickerOf(input);
    var chosen = Array.prototype.slice.call(input.files || []).filter(function (file) {
      return picker.files.indexOf(file) < 0;
    });
    setFiles(input, picker.files); // until the check is done, only the files already kept
    picker.add(chosen);
  });

  // Keep what was sent until the server has answered: an error re-renders the form empty,
  // and the new form (htmx:load) takes the files back; a success forgets them.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = event.target.closest && event.target.closest("form");
    var input = form && form.querySelector("input[type=file][data-picker]");
    if (input && input.__picker) kept[formKey(form)] = input.__picker.files.slice();
  });
  document.addEventListener("htmx:beforeSwap", function (event) {
    var form = event.detail.requestConfig && event.detail.requestConfig.elt;
    form = form && form.closest && form.closest("form");
    if (form && event.detail.xhr.status < 400) delete kept[formKey(form)];
  });

  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:load", function (event) { init(event.target); });
})();
