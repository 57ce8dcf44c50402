/* Tell the server the browser's time zone (IANA name) so deadlines show on the reader's
   clock. The middleware validates it; a page rendered before the cookie existed shows the
   default zone, and the next one the reader's. */
(function () {
  "use strict";
  try {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (!zone || !/^[A-Za-z0-9_+\-\/]{1,64}$/.test(zone)) return;
    if (document.cookie.split("; ").indexOf("tz=" + zone) !== -1) return;
    document.cookie = "tz=" + zone + "; path=/; max-age=31536000; SameSite=Lax";
  } catch (e) { /* no Intl: the default zone applies */ }
})();
