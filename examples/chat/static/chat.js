// The chat page's client: posts messages with the _xsrf value and receives new ones over a
// WebSocket, or by long polling where a socket cannot open (an old proxy, a blocked upgrade).
// A restarted server never leaves the page silently broken: a refused request (the sign-in or
// XSRF cookie no longer accepted) reloads the page, which leads to the sign-in form when needed,
// keeping the unsent text; a new message history (the epoch changed) replaces the one shown.
"use strict";

const DRAFT_KEY = "chat-draft";
const REFUSED_KEY = "chat-refused-at";

function getCookie(name) {
  const r = document.cookie.match("\\b" + name + "=([^;]*)\\b");
  return r ? decodeURIComponent(r[1]) : undefined;
}

function post(url, fields) {
  const body = new URLSearchParams(fields);
  body.set("_xsrf", getCookie("_xsrf") ?? "");
  return fetch(url, { method: "POST", body, credentials: "same-origin" });
}

/** Thrown for 401/403: this page's cookies are no longer accepted. */
class Refused extends Error {}

function checked(res) {
  if (res.status === 401 || res.status === 403) throw new Refused("HTTP " + res.status);
  if (!res.ok) throw new Error("HTTP " + res.status);
  return res.json();
}

const status = {
  show(text) {
    const el = document.getElementById("status");
    el.textContent = text;
    el.hidden = false;
  },
  hide() {
    document.getElementById("status").hidden = true;
  },
};

/**
 * The server refused us. Reload (GET / sends a signed-out visitor to the sign-in form, and gives a
 * fresh _xsrf cookie), keeping what was typed. Twice within 10 s would be a loop: say so instead.
 */
function refused() {
  const input = document.getElementById("message");
  if (input.value) sessionStorage.setItem(DRAFT_KEY, input.value);
  const last = Number(sessionStorage.getItem(REFUSED_KEY) ?? 0);
  if (Date.now() - last < 10000) {
    status.show("The server keeps refusing this page. Sign out and in again.");
    return;
  }
  sessionStorage.setItem(REFUSED_KEY, String(Date.now()));
  location.reload();
}

/**
 * New messages over a WebSocket. A socket that never opens hands over to long polling for good;
 * one that closes after working (a frontend restarting) is opened again, with the cursor, so
 * nothing is missed; through a load balancer it lands on another frontend.
 */
const socket = {
  start() {
    if (!("WebSocket" in window)) return updater.poll();
    const query = new URLSearchParams({ epoch: updater.epoch ?? "" });
    if (updater.cursor !== null) query.set("cursor", String(updater.cursor));
    const scheme = location.protocol === "https:" ? "wss://" : "ws://";
    const ws = new WebSocket(scheme + location.host + "/a/message/socket?" + query);
    let opened = false;
    ws.onopen = () => {
      opened = true;
      updater.errorSleepTime = 500;
      status.hide();
    };
    ws.onmessage = (event) => updater.receive(JSON.parse(event.data));
    ws.onclose = () => {
      if (!opened) return updater.poll(); // it may be refused (signed out): the poll finds out
      status.show("Reconnecting…");
      updater.errorSleepTime = Math.min(updater.errorSleepTime * 2, 10000);
      setTimeout(socket.start, updater.errorSleepTime);
    };
  },
};

const updater = {
  epoch: null,
  cursor: null,
  errorSleepTime: 500,
  retryTimer: null,

  poll() {
    updater.retryTimer = null;
    const fields = { epoch: updater.epoch };
    if (updater.cursor !== null) fields.cursor = String(updater.cursor);
    post("/a/message/updates", fields)
      .then(checked)
      .then((response) => {
        updater.errorSleepTime = 500;
        status.hide();
        updater.receive(response);
        updater.poll();
      })
      .catch((err) => {
        if (err instanceof Refused) return refused();
        status.show("Reconnecting…");
        updater.errorSleepTime = Math.min(updater.errorSleepTime * 2, 10000);
        updater.retryTimer = setTimeout(updater.poll, updater.errorSleepTime);
      });
  },

  /** Polls now instead of when the back-off ends (a post just showed the server is back). */
  pollNow() {
    if (updater.retryTimer === null) return;
    clearTimeout(updater.retryTimer);
    updater.poll();
  },

  /** One reply of the long poll or one push of the socket: the same shape. */
  receive(response) {
    if (response.reset) updater.startOver(response.epoch);
    updater.showMessages(response.messages);
  },

  /** The server's history is another one (it restarted): show its messages instead of ours. */
  startOver(epoch) {
    updater.epoch = epoch;
    updater.cursor = null;
    for (const old of document.querySelectorAll("#inbox .message")) old.remove();
  },

  showMessages(messages) {
    const inbox = document.getElementById("inbox");
    for (const message of messages) {
      updater.cursor = Math.max(updater.cursor ?? 0, message.id);
      if (document.getElementById("m" + message.id)) continue;
      const holder = document.createElement("div");
      holder.innerHTML = message.html;
      inbox.appendChild(markMine(holder.firstElementChild));
    }
    if (messages.length) window.scrollTo({ top: document.body.scrollHeight });
  },
};

/** Own messages are drawn on the right (the shared HTML is the same for every reader). */
function markMine(el) {
  if (el.dataset.from === document.body.dataset.user) el.classList.add("mine");
  return el;
}

document.addEventListener("DOMContentLoaded", () => {
  const inbox = document.getElementById("inbox");
  updater.epoch = inbox.dataset.epoch;
  const seen = inbox.querySelectorAll(".message");
  seen.forEach(markMine);
  if (seen.length) updater.cursor = Number(seen[seen.length - 1].id.slice(1));
  window.scrollTo({ top: document.body.scrollHeight });

  const input = document.getElementById("message");
  const draft = sessionStorage.getItem(DRAFT_KEY);
  if (draft) input.value = draft;
  sessionStorage.removeItem(DRAFT_KEY);

  document.getElementById("messageform").addEventListener("submit", (event) => {
    event.preventDefault();
    if (!input.value) return;
    post("/a/message/new", { body: input.value })
      .then(checked)
      .then((message) => {
        sessionStorage.removeItem(REFUSED_KEY);
        status.hide();
        if (message.epoch === updater.epoch) updater.showMessages([message]);
        else updater.pollNow(); // a new history: the poll's reset brings this message with it
        input.value = "";
        input.focus();
      })
      .catch((err) => {
        if (err instanceof Refused) return refused();
        status.show("Not sent: the server is not answering. Try again in a moment.");
      });
  });
  input.focus();
  // ?transport=poll forces long polling (to try it, or for a proxy known to break upgrades).
  if (new URLSearchParams(location.search).get("transport") === "poll") updater.poll();
  else socket.start();
});
