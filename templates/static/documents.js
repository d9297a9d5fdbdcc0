// Drag and drop for the secretariat's document upload form. Without
// JavaScript the form's file input does the same job; this only lets files
// be dropped on the page and lists them before sending.
(function () {
  var form = document.getElementById('document-upload');
  var zone = document.getElementById('drop-zone');
  var input = document.getElementById('f-files');
  var list = document.getElementById('drop-list');
  if (!form || !zone || !input || !window.DataTransfer) { return; }
  zone.hidden = false;
  function show() {
    list.textContent = '';
    for (var i = 0; i < input.files.length; i++) {
      var li = document.createElement('li');
      li.textContent = input.files[i].name;
      list.appendChild(li);
    }
  }
  input.addEventListener('change', show);
  ['dragenter', 'dragover'].forEach(function (t) {
    zone.addEventListener(t, function (e) { e.preventDefault(); zone.classList.add('over'); });
  });
  zone.addEventListener('dragleave', function () { zone.classList.remove('over'); });
  zone.addEventListener('drop', function (e) {
    e.preventDefault();
    zone.classList.remove('over');
    var dt = new DataTransfer();
    for (var i = 0; i < input.files.length; i++) { dt.items.add(input.files[i]); }
    for (var j = 0; j < e.dataTransfer.files.length; j++) { dt.items.add(e.dataTransfer.files[j]); }
    input.files = dt.files;
    show();
  });
}());
