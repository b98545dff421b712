// The sign-in page: when chat.js sent the reader here because the server refused their cookie
// (it restarted with a new secret), say so, and that the unsent message is kept.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const refusedAt = Number(sessionStorage.getItem("chat-refused-at") ?? 0);
  if (Date.now() - refusedAt > 60000) return;
  const notice = document.getElementById("notice");
  notice.textContent = sessionStorage.getItem("chat-draft")
    ? "You were signed out, probably by a server restart. Sign in again: your unsent message is kept."
    : "You were signed out, probably by a server restart. Sign in again to continue.";
  notice.hidden = false;
});
