/* Progressive enhancement only: every page works without this file.
   - Moves focus to an error summary or notice when a page loads with one.
   - A link in an error summary moves focus to its field (the first control of a group).
   - After an htmx swap, moves focus to the swapped region's heading and announces it. A swap
     caused by typing or by changing a choice only announces: focus stays with the user. */
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

  function focusField(target) {
    var control = target;
    if (target.matches("fieldset")) {
      control = target.querySelector("input, select, textarea");
    }
    if (!control) {
      return false;
    }
    var label = target.matches("fieldset") ? target.querySelector("legend") : null;
    if (!label && control.id) {
      label = document.querySelector('label[for="' + control.id + '"]');
    }
    (label || control).scrollIntoView();
    control.focus({ preventScroll: true });
    return true;
  }

  // A swap caused by typing or by changing a choice only announces: focus stays where the
  // user is typing or choosing.
  function movesFocus(event) {
    var config = event.detail.requestConfig;
    var trigger = config && config.triggeringEvent;
    return !trigger || (trigger.type !== "change" && trigger.type !== "input");
  }

  document.addEventListener("DOMContentLoaded", function () {
    focusAutofocus(document);
  });

  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest(".error-summary a[href^='#']") : null;
    if (!link) {
      return;
    }
    var target = document.getElementById(link.getAttribute("href").slice(1));
    if (target && focusField(target)) {
      event.preventDefault();
    }
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (!target) {
      return;
    }
    var heading = target.querySelector("[data-swap-focus]");
    if (heading) {
      if (movesFocus(event)) {
        heading.focus();
      }
      announce(heading.textContent.trim());
    } else {
      focusAutofocus(target);
    }
  });

  // Editors' console: a finding's link (data-editor-line) moves focus into the Markdown field
  // with that line selected, so the problem can be fixed at once.
  function editorFocusLine(link) {
    var target = document.getElementById(link.getAttribute("href").slice(1));
    var line = parseInt(link.getAttribute("data-editor-line"), 10);
    if (!target || target.tagName !== "TEXTAREA" || !(line > 0)) {
      return false;
    }
    var lines = target.value.split("\n");
    var offset = 0;
    for (var index = 0; index < line - 1 && index < lines.length; index += 1) {
      offset += lines[index].length + 1;
    }
    target.focus();
    target.setSelectionRange(offset, offset + (lines[line - 1] || "").length);
    return true;
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a[data-editor-line]") : null;
    if (link && editorFocusLine(link)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  // The message comes from the page (translated on the server), not from this file.
  function announceFailure() {
    var region = document.getElementById("live-region");
    announce(region && region.getAttribute("data-failure-message"));
  }

  document.addEventListener("htmx:responseError", announceFailure);
  document.addEventListener("htmx:sendError", announceFailure);
})();

/* A recording's chapters: a button with data-seek="seconds" moves its player there and plays
   (the links work without this file: they open the video at that time). */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-seek]") : null;
    if (!button) {
      return;
    }
    var player = document.getElementById(button.getAttribute("data-player"));
    if (!player) {
      return;
    }
    event.preventDefault();
    player.currentTime = Number(button.getAttribute("data-seek")) || 0;
    player.focus();
    var playing = player.play();
    if (playing && playing.catch) {
      playing.catch(function () {});
    }
  });
})();
