// Login: POST /api/v1/session; the answer's CSRF token is kept for every change. The
// same form serves the log-in page and the dialog that opens over unsaved changes when
// a session ends (app.js).
import { api } from "../api.js";
import { h } from "../dom.js";
import { t } from "../i18n.js";
import { field, input } from "../forms.js";
import { loggedIn, go, takeReturnTo } from "../app.js";

export const name = "login";

// A log-in form that calls `onDone` once logged in. `opts`: title, note, id (of the title).
export function loginForm(onDone, opts = {}) {
  const user = input({ autocomplete: "username", required: true, autofocus: true });
  const pass = input({ type: "password", autocomplete: "current-password", required: true });
  const msg = h("p", { class: "form-error", role: "alert" });
  const form = h("form", { class: "card login", novalidate: true },
    h("h1", { id: opts.id || null }, opts.title || t("login_title")),
    opts.note ? h("p", {}, opts.note) : null,
    field(t("username"), user, "username"),
    field(t("password"), pass, "password"),
    msg,
    h("button", { type: "submit", class: "primary" }, t("login_button")));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    msg.textContent = "";
    try {
      const answer = await api("POST", "/api/v1/session", { username: user.value.trim(), password: pass.value });
      await loggedIn(answer);
      onDone();
    } catch (err) {
      msg.textContent = err.status === 429 ? t("too_many", { s: err.retryAfter || 60 })
        : err.status === 401 ? t("login_failed") : t("error", { msg: err.message });
      pass.select();
    }
  });
  return form;
}

export async function render(box) {
  // Back to the page the session ended on, if any.
  box.appendChild(loginForm(() => go(takeReturnTo() || "#/dashboard")));
}
