// The check-in page at the door (secretariat_door.html). The page works
// with plain forms; this adds what needs a script, and only that:
//  - the camera, where the browser offers barcode detection
//    (BarcodeDetector): a QR code it sees is put in the code field and the
//    form is sent, as a scanner would;
//  - the day's counts, read again from the API every ten seconds, so that
//    several doors see each other's arrivals.
// Nothing is loaded from outside Agora.
(function () {
  "use strict";
  var door = document.getElementById("door");
  if (!door) { return; }
  var meeting = door.getAttribute("data-meeting");
  var day = door.getAttribute("data-day");
  var lang = document.documentElement.getAttribute("lang") || "en";
  var form = document.getElementById("door-scan-form");
  var field = document.getElementById("door-code");

  // A scanner types into whatever has the focus: keep it on the code field
  // unless the person is using another field.
  if (field && !document.getElementById("door-q").value) { field.focus(); }

  // Live counts.
  var checked = document.getElementById("door-checked");
  var expected = document.getElementById("door-expected");
  function refresh() {
    fetch("/api/v1/meetings/" + meeting + "/check-in?day=" + encodeURIComponent(day), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (c) {
        if (!c) { return; }
        checked.textContent = c.checked_in.toLocaleString(lang);
        expected.textContent = c.expected.toLocaleString(lang);
      })
      .catch(function () {});
  }
  if (window.fetch && checked && expected) { setInterval(refresh, 10000); }

  // The camera.
  if (!("BarcodeDetector" in window) || !navigator.mediaDevices || !form) { return; }
  var box = document.getElementById("door-camera-box");
  var button = document.getElementById("door-camera");
  var video = document.getElementById("door-video");
  var stream = null, timer = null, detector = null;
  box.hidden = false;

  function stop() {
    if (timer) { clearInterval(timer); timer = null; }
    if (stream) { stream.getTracks().forEach(function (t) { t.stop(); }); stream = null; }
    video.hidden = true;
    button.textContent = button.getAttribute("data-start");
  }
  function found(text) {
    stop();
    field.value = text;
    form.submit();
  }
  button.addEventListener("click", function () {
    if (stream) { stop(); return; }
    try { detector = detector || new window.BarcodeDetector({ formats: ["qr_code"] }); } catch (e) { box.hidden = true; return; }
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false }).then(function (s) {
      stream = s;
      video.srcObject = s;
      video.hidden = false;
      button.textContent = button.getAttribute("data-stop");
      return video.play();
    }).then(function () {
      timer = setInterval(function () {
        if (!stream || video.readyState < 2) { return; }
        detector.detect(video).then(function (codes) {
          if (codes.length > 0 && codes[0].rawValue) { found(codes[0].rawValue); }
        }).catch(function () {});
      }, 250);
    }).catch(function () { stop(); });
  });
})();
