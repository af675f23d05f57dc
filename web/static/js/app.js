/* Progressive enhancement only: every page works without this file.
   - Moves focus to an error summary or notice when a page loads with one.
   - After an htmx swap, moves focus to the swapped region's heading and announces it. */
(function () {
  "use strict";

  function focusAutofocus(root) {
    var target = root.querySelector("[data-autofocus]");
    if (target) {
      target.focus();
    }
  }

  function announce(message) {
    var region = document.getElementById("live-region");
    if (!region || !message) {
      return;
    }
    region.textContent = "";
    window.setTimeout(function () {
      region.textContent = message;
    }, 50);
  }

  document.addEventListener("DOMContentLoaded", function () {
    focusAutofocus(document);
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    var heading = target.querySelector("[data-swap-focus]");
    if (heading) {
      heading.focus();
      announce(heading.textContent.trim());
    } else {
      focusAutofocus(target);
    }
  });

  document.addEventListener("htmx:responseError", function () {
    announce("通信に失敗しました。ページを再読み込みしてください。");
  });
})();
