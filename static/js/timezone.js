/* Tell the server the browser's time zone (IANA name) so deadlines show on the reader's
   clock; the middleware validates it. A page rendered before the cookie existed, on another
   clock (<html data-tz>), is loaded again once if it shows any time: only pages fetched by
   GET say so (data-tz-refresh; a reload repeats nothing else), and only when the cookie
   stuck, so a browser that refuses cookies, or a zone the server does not know, never
   loops. */
(function () {
  "use strict";
  try {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (!zone || !/^[A-Za-z0-9_+\-\/]{1,64}$/.test(zone)) return;
    var hasCookie = function () {
      return document.cookie.split("; ").indexOf("tz=" + zone) !== -1;
    };
    if (hasCookie()) return;
    document.cookie = "tz=" + zone + "; path=/; max-age=31536000; SameSite=Lax";
    var root = document.documentElement;
    if (!hasCookie() || root.dataset.tz === zone || !root.hasAttribute("data-tz-refresh")) return;
    document.addEventListener("DOMContentLoaded", function () {
      if (document.querySelector("time")) window.location.replace(window.location.href);
    });
  } catch (e) { /* no Intl: the default zone applies */ }
})();
