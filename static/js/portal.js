// Portal Participa's own JavaScript: only this. htmx does the rest, and every page works without it.
// base.html loads this file on every page that uses htmx.
//
// htmx's settings, read by htmx when it starts (from <meta name="htmx-config">, added here so that each
// page need not carry it): no indicator styles (an inline <style>, which the CSP refuses), no eval and no
// scripts from answers, no history cache (going back fetches the page again), 422 answers (a form with
// errors) swapped in like 2xx, other 4xx and 5xx not swapped.
(function () {
  var meta = document.createElement("meta");
  meta.name = "htmx-config";
  meta.content = JSON.stringify({
    includeIndicatorStyles: false, allowEval: false, allowScriptTags: false, historyCacheSize: 0,
    responseHandling: [{ code: "204", swap: false }, { code: "[23]..", swap: true }, { code: "422", swap: true },
      { code: "[45]..", swap: false, error: true }]
  });
  document.head.appendChild(meta);
})();

// Filters that htmx submits push their URL into the address bar. Leave out the empty fields, so the
// address reads /organizaciones?q=puentes and not /organizaciones?q=puentes&category=&region=&comuna=&status=.
// Servers read a missing field as an empty one.
document.addEventListener("htmx:configRequest", function (event) {
  if (event.detail.verb !== "get") {
    return;
  }
  var params = event.detail.parameters;
  Object.keys(params).forEach(function (name) {
    if (params[name] === "") {
      delete params[name];
    }
  });
});

// htmx on first use. On a page whose htmx only enhances forms and links that already work (the registry and
// Sello filters, the registry's preloading), base.html loads this file alone, with htmx's address in
// data-htmx; the enhanced elements carry data-load-htmx="<extensions to load after htmx, if any>". The first
// time a person reaches for one of them (pointer, touch, focus, a change) htmx and its extensions are loaded;
// a person who only reads the page never downloads them. Until then, and if they fail to load, the forms
// submit and the links navigate as plain HTML.
(function () {
  var script = document.currentScript;
  var htmxSrc = script && script.getAttribute("data-htmx");
  var zones = Array.prototype.slice.call(document.querySelectorAll("[data-load-htmx]"));
  var triggers = ["pointerover", "touchstart", "focusin", "input", "change"];
  if (!htmxSrc || !zones.length || window.htmx) {
    return;
  }
  // what each enhanced form held before any interaction, to replay a change made while htmx was loading
  var forms = zones.filter(function (zone) { return zone.tagName === "FORM"; }).map(function (form) {
    return { form: form, before: formState(form) };
  });

  function formState(form) {
    return new URLSearchParams(new FormData(form)).toString();
  }

  function start() {
    zones.forEach(function (zone) {
      triggers.forEach(function (name) { zone.removeEventListener(name, start, true); });
    });
    // htmx initialises at once only when the document is complete (else it waits for a DOMContentLoaded
    // that has already passed)
    if (document.readyState === "complete") {
      load();
    } else {
      window.addEventListener("load", load, { once: true });
    }
  }

  function load() {
    var sources = [htmxSrc];
    zones.forEach(function (zone) {
      zone.getAttribute("data-load-htmx").split(/\s+/).forEach(function (src) {
        if (src && sources.indexOf(src) < 0) {
          sources.push(src);
        }
      });
    });
    // htmx processes the page as soon as it runs, before its extensions are defined: hx-disable holds that
    // back until they are, then the whole page is processed once, extensions included
    document.body.setAttribute("hx-disable", "");
    var pending = sources.length;
    sources.forEach(function (src) {
      var tag = document.createElement("script");
      tag.src = src;
      tag.async = false; // run in the order given: htmx first
      tag.onload = tag.onerror = function () {
        pending -= 1;
        if (pending === 0) {
          ready();
        }
      };
      document.head.appendChild(tag);
    });
  }

  function ready() {
    document.body.removeAttribute("hx-disable");
    if (!window.htmx) {
      return; // not loaded (offline, blocked): the plain forms and links still work
    }
    window.htmx.process(document.body);
    forms.forEach(function (entry) {
      if (formState(entry.form) !== entry.before) {
        window.htmx.trigger(entry.form, "change");
      }
    });
  }

  zones.forEach(function (zone) {
    triggers.forEach(function (name) { zone.addEventListener(name, start, { capture: true, passive: true }); });
  });
})();
