// The draw-a-digit page: pointer events (mouse, pen and touch alike) draw on the canvas; when a
// stroke ends the canvas goes as a PNG to the predict endpoint, and the answer (class,
// probabilities, the 28x28 preprocessed preview) is shown. No libraries, nothing from the network.
(function () {
  "use strict";
  var pad = document.getElementById("pad");
  var ctx = pad.getContext("2d");
  var preview = document.getElementById("preview");
  var select = document.getElementById("model");
  var bars = document.getElementById("bars");
  var status = document.getElementById("status");
  var drawing = false, last = null, pending = 0;

  function clear() {
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, pad.width, pad.height);
    show(null);
  }

  function point(e) {
    var r = pad.getBoundingClientRect();
    return { x: (e.clientX - r.left) * pad.width / r.width, y: (e.clientY - r.top) * pad.height / r.height };
  }

  function line(a, b) {
    ctx.strokeStyle = "#000";
    ctx.lineWidth = 18;
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
    ctx.beginPath();
    ctx.moveTo(a.x, a.y);
    ctx.lineTo(b.x, b.y);
    ctx.stroke();
  }

  pad.addEventListener("pointerdown", function (e) {
    e.preventDefault();
    pad.setPointerCapture(e.pointerId);
    drawing = true;
    last = point(e);
    line(last, last);
  });
  pad.addEventListener("pointermove", function (e) {
    if (!drawing) return;
    var p = point(e);
    line(last, p);
    last = p;
  });
  function end() {
    if (!drawing) return;
    drawing = false;
    pad.toBlob(send, "image/png");
  }
  pad.addEventListener("pointerup", end);
  pad.addEventListener("pointercancel", end);

  function send(blob) {
    if (!select.value) return;
    var id = ++pending;
    document.body.dataset.state = "busy";
    document.body.dataset.sent = String(id);
    fetch("v1/models/" + encodeURIComponent(select.value) + "/predict?preview=true", {
      method: "POST", headers: { "Content-Type": blob.type || "application/octet-stream" }, body: blob
    }).then(function (r) {
      return r.json().then(function (j) { if (!r.ok) throw new Error(j.error || r.statusText); return j; });
    }).then(function (j) {
      if (id === pending) { show(j); document.body.dataset.shown = String(id); }
    }).catch(function (err) {
      if (id === pending) { status.textContent = String(err.message || err); document.body.dataset.state = "error"; }
    });
  }

  function show(j) {
    var digit = document.getElementById("digit");
    status.textContent = "";
    bars.innerHTML = "";
    if (!j) {
      digit.textContent = "?";
      digit.dataset.class = "";
      document.getElementById("probability").textContent = "";
      preview.getContext("2d").clearRect(0, 0, preview.width, preview.height);
      delete document.body.dataset.state;
      return;
    }
    digit.textContent = String(j["class"]);
    digit.dataset.class = String(j["class"]);
    document.getElementById("probability").textContent = "probability " + j.probability.toFixed(4);
    j.probabilities.forEach(function (p, i) {
      var li = document.createElement("li");
      li.dataset.probability = String(p);
      if (i === j["class"]) li.className = "best";
      li.innerHTML = "<span>" + i + "</span><span class=\"bar\"><span class=\"fill\"></span></span><span class=\"value\"></span>";
      li.querySelector(".fill").style.width = (Math.max(0, Math.min(1, p)) * 100).toFixed(1) + "%";
      li.querySelector(".value").textContent = p.toFixed(4);
      bars.appendChild(li);
    });
    if (j.preview) {
      var h = j.preview_shape[0], w = j.preview_shape[1];
      preview.width = w;
      preview.height = h;
      var img = preview.getContext("2d").createImageData(w, h);
      for (var k = 0; k < w * h; k++) {
        img.data[4 * k] = img.data[4 * k + 1] = img.data[4 * k + 2] = j.preview[k];
        img.data[4 * k + 3] = 255;
      }
      preview.getContext("2d").putImageData(img, 0, 0);
    }
    document.body.dataset.state = "done";
  }

  document.getElementById("clear").addEventListener("click", clear);
  document.getElementById("upload").addEventListener("change", function (e) {
    var f = e.target.files[0];
    if (!f) return;
    var im = new Image();
    im.onload = function () {
      clear();
      var s = Math.min(pad.width / im.width, pad.height / im.height);
      ctx.drawImage(im, (pad.width - im.width * s) / 2, (pad.height - im.height * s) / 2, im.width * s, im.height * s);
      URL.revokeObjectURL(im.src);
    };
    im.src = URL.createObjectURL(f);
    send(f);
    e.target.value = "";
  });

  fetch("v1/models").then(function (r) { return r.json(); }).then(function (j) {
    j.models.forEach(function (m) {
      var o = document.createElement("option");
      o.value = o.textContent = m;
      select.appendChild(o);
    });
    document.body.dataset.ready = "true";
  });
  clear();
})();
