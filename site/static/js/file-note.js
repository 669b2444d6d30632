// A classic script (it runs where module scripts do not): from file:// the
// workbench cannot load its modules or its WebAssembly, so it says how to
// serve the folder instead.
if (location.protocol === 'file:') {
  var note = document.getElementById('file-note');
  if (note) note.hidden = false;
}
