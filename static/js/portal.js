// Portal Participa's own JavaScript: only this. htmx does the rest, and every page works without it.
//
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
