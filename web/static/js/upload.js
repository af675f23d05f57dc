/* The recording upload page: sends the chosen video in parts (the size the server names), with a
   progress bar, retries a failed part three times, and resumes an interrupted upload from the
   first part the server lacks (the same file chosen again, even after closing the tab). */
(function () {
  "use strict";
  var form = document.getElementById("upload-form");
  if (!form) {
    return;
  }
  var bar = document.getElementById("upload-progress");
  var statusText = document.getElementById("upload-status");
  var errorBox = document.getElementById("upload-error");
  var button = form.querySelector("button[type=submit]");
  var token = form.getAttribute("data-csrf");
  var lastAnnounced = -1;

  function megabytes(bytes) {
    return (bytes / 1048576).toFixed(1) + "MB";
  }

  function showProgress(sent, size) {
    var percent = size ? Math.floor((sent / size) * 100) : 0;
    bar.value = percent;
    // Announce every 10 %: a screen reader hears the progress without a flood.
    if (percent - lastAnnounced >= 10 || percent === 100) {
      lastAnnounced = percent;
      statusText.textContent = megabytes(sent) + " / " + megabytes(size) + "（" + percent + "%）送信しました。";
    }
  }

  function showError(message) {
    errorBox.hidden = false;
    errorBox.querySelector("p").textContent = message;
    errorBox.focus();
    button.disabled = false;
  }

  function storageKey(file) {
    return "kdx-upload:" + file.name + ":" + file.size + ":" + file.lastModified;
  }

  function problemText(body, fallback) {
    if (body && body.errors) {
      return Object.keys(body.errors).map(function (k) { return body.errors[k]; }).join(" ");
    }
    return (body && body.detail) || fallback;
  }

  function request(method, url, body, contentType, onProgress) {
    return new Promise(function (resolve, reject) {
      var xhr = new XMLHttpRequest();
      xhr.open(method, url);
      xhr.setRequestHeader("X-CSRF-Token", token);
      if (contentType) {
        xhr.setRequestHeader("Content-Type", contentType);
      }
      if (onProgress) {
        xhr.upload.onprogress = function (event) { onProgress(event.loaded); };
      }
      xhr.onload = function () {
        var parsed = null;
        try { parsed = JSON.parse(xhr.responseText); } catch (ignored) { parsed = null; }
        if (xhr.status >= 200 && xhr.status < 300) {
          resolve(parsed);
        } else {
          reject({ status: xhr.status, body: parsed });
        }
      };
      xhr.onerror = function () { reject({ status: 0, body: null }); };
      xhr.send(body);
    });
  }

  function sendPart(id, partSize, file, number, attempt, onProgress) {
    var start = (number - 1) * partSize;
    var part = file.slice(start, Math.min(start + partSize, file.size));
    return request("PUT", "/api/v1/recordings/" + id + "/upload/parts/" + number, part,
      "application/octet-stream", onProgress
    ).then(function () { return part.size; }).catch(function (failure) {
      if ((failure.status === 0 || failure.status >= 500) && attempt < 3) {
        return new Promise(function (wait) { window.setTimeout(wait, 1000 * attempt); })
          .then(function () { return sendPart(id, partSize, file, number, attempt + 1, onProgress); });
      }
      throw failure;
    });
  }

  // Two parts travel at once: the server writes one while the next arrives.
  var PARTS_IN_FLIGHT = 2;

  function sendAll(id, progress, file) {
    var missing = [];
    for (var number = 1; number <= progress.total_parts; number += 1) {
      if (progress.received.indexOf(number) === -1) {
        missing.push(number);
      }
    }
    var stored = progress.bytes_received;
    var loading = {};
    var failed = false;

    function report() {
      var sent = stored;
      Object.keys(loading).forEach(function (key) { sent += loading[key]; });
      showProgress(sent, file.size);
    }

    function send(number) {
      return sendPart(id, progress.part_size, file, number, 1, function (loaded) {
        loading[number] = loaded;
        report();
      }).then(function (size) {
        delete loading[number];
        stored += size;
        report();
      }, function (failure) {
        failed = true;  // the other sender stops after its part; the next try resumes
        throw failure;
      });
    }

    function nextPart() {
      if (failed || missing.length === 0) {
        return Promise.resolve();
      }
      return send(missing.shift()).then(nextPart);
    }

    // The server checks part 1 by its content: it goes alone, so that a file that is not a video
    // is refused with its reason, not answered "aborted" for a part already on its way.
    var head = missing[0] === 1 ? send(missing.shift()) : Promise.resolve();
    return head.then(function () {
      var senders = [];
      for (var i = 0; i < PARTS_IN_FLIGHT; i += 1) {
        senders.push(nextPart());
      }
      return Promise.all(senders);
    }).then(function () {
      return request("POST", "/api/v1/recordings/" + id + "/upload/completion", null, null, null);
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    errorBox.hidden = true;
    var file = form.querySelector("input[type=file]").files[0];
    if (!file) {
      showError("アップロードする録画のファイルを選んでください。");
      return;
    }
    button.disabled = true;
    var key = storageKey(file);
    var known = form.getAttribute("data-resume") || window.localStorage.getItem(key);
    var started = known
      ? request("GET", "/api/v1/recordings/" + known + "/upload", null, null, null).then(function (progress) {
          if (progress.size !== file.size) {
            throw { status: 409, body: { detail: "選んだファイルが、中断したアップロードと違います（大きさが一致しません）。" } };
          }
          return { id: known, progress: progress };
        })
      : request("POST", "/api/v1/recordings/uploads", JSON.stringify({
          event_id: Number(form.querySelector("[name=event_id]").value),
          title: form.querySelector("[name=title]").value,
          file_name: file.name,
          size: file.size
        }), "application/json", null).then(function (progress) {
          return { id: String(progress.recording_id), progress: progress };
        });
    started.then(function (upload) {
      window.localStorage.setItem(key, upload.id);
      statusText.textContent = "アップロードを始めます。";
      showProgress(upload.progress.bytes_received, file.size);
      return sendAll(upload.id, upload.progress, file).then(function () {
        window.localStorage.removeItem(key);
        window.location.assign("/console/recordings/" + upload.id + "?done=uploaded");
      });
    }).catch(function (failure) {
      // A refused file or an upload that no longer exists: the next try starts afresh.
      if (failure.status === 404 || failure.status === 422) {
        window.localStorage.removeItem(key);
      }
      showError(problemText(failure.body,
        "通信が切れました。同じファイルを選んでもう一度「アップロードする」を押すと、続きから再開します。"));
    });
  });
})();
