// The chat page's client: posts messages with the _xsrf value and long-polls for new ones.
"use strict";

function getCookie(name) {
  const r = document.cookie.match("\\b" + name + "=([^;]*)\\b");
  return r ? decodeURIComponent(r[1]) : undefined;
}

function post(url, fields) {
  const body = new URLSearchParams(fields);
  body.set("_xsrf", getCookie("_xsrf"));
  return fetch(url, { method: "POST", body, credentials: "same-origin" });
}

const updater = {
  cursor: null,
  errorSleepTime: 500,

  poll() {
    const fields = updater.cursor === null ? {} : { cursor: String(updater.cursor) };
    post("/a/message/updates", fields)
      .then((res) => { if (!res.ok) throw new Error("HTTP " + res.status); return res.json(); })
      .then((response) => {
        updater.errorSleepTime = 500;
        updater.showMessages(response.messages);
        updater.poll();
      })
      .catch(() => {
        updater.errorSleepTime = Math.min(updater.errorSleepTime * 2, 30000);
        setTimeout(updater.poll, updater.errorSleepTime);
      });
  },

  showMessages(messages) {
    const inbox = document.getElementById("inbox");
    for (const message of messages) {
      updater.cursor = Math.max(updater.cursor ?? 0, message.id);
      if (document.getElementById("m" + message.id)) continue;
      const holder = document.createElement("div");
      holder.innerHTML = message.html;
      inbox.appendChild(holder.firstElementChild);
    }
  },
};

document.addEventListener("DOMContentLoaded", () => {
  const seen = document.querySelectorAll("#inbox .message");
  if (seen.length) updater.cursor = Number(seen[seen.length - 1].id.slice(1));
  const form = document.getElementById("messageform");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const input = document.getElementById("message");
    if (!input.value) return;
    post("/a/message/new", { body: input.value })
      .then((res) => res.json())
      .then((message) => { updater.showMessages([message]); input.value = ""; input.focus(); });
  });
  document.getElementById("message").focus();
  updater.poll();
});
