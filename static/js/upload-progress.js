// A progress bar for file uploads (organization documents, candidate photos, Sello files). A form marked
// data-upload-progress is sent by htmx (hx-boost) and its <progress class="upload-progress"> shows how much
// has been sent. Without JavaScript the form posts as usual and the next page says how it went.
(function () {
  function formOf(event) {
    var target = event.target;
    return target && target.closest ? target.closest("form[data-upload-progress]") : null;
  }

  document.addEventListener("htmx:xhr:progress", function (event) {
    var form = formOf(event);
    var bar = form && form.querySelector("progress.upload-progress");
    if (!bar || !event.detail.lengthComputable || !event.detail.total) {
      return;
    }
    bar.hidden = false;
    bar.max = event.detail.total;
    bar.value = event.detail.loaded;
    bar.textContent = Math.round((100 * event.detail.loaded) / event.detail.total) + " %";
  });

  // A refusal (409), a file too large (413) or a lost connection: send the form the plain way, so the
  // browser shows the page that explains it (htmx does not swap error answers).
  function plainSubmit(event) {
    var form = formOf(event);
    if (!form) {
      return;
    }
    form.removeAttribute("hx-boost");
    form.removeAttribute("data-upload-progress");
    HTMLFormElement.prototype.submit.call(form);
  }
  document.addEventListener("htmx:responseError", plainSubmit);
  document.addEventListener("htmx:sendError", plainSubmit);
})();
