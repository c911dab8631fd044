// The status window: renders the `view` command's answer (the companion's
// snapshot, its texts already in the reader's language, the tray's words,
// and the lines worded for it: account, module counts and times, run times) and calls the few commands the window is allowed. No framework,
// no build step, nothing remote (see the CSP in src-tauri/tauri.conf.json).
"use strict";

const { invoke } = window.__TAURI__.core;
const { listen } = window.__TAURI__.event;

let words = {};
let lang = "en";

const $ = (id) => document.getElementById(id);
const w = (id) => words[id] ?? id;

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") e.className = v;
    else if (k === "onclick") e.addEventListener("click", v);
    else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(c ?? ""));
  return e;
}

// The fix as a button when the window can do it, else as an instruction.
const ACTIONS = {
  sign_in: "sign_in",
  export_now: "export_now",
  test_again: "export_now",
  retry_held_back: "retry_held_back",
  allow_deletions: "allow_deletions",
  resume: "resume",
  open_log: "open_log_folder",
};

function fix(action) {
  const command = action.invocable && ACTIONS[action.action];
  if (command) {
    return el("button", { "data-action": action.action, onclick: () => invoke(command) }, action.label);
  }
  return el("div", { class: "fix" }, action.label);
}

// The stable code is shown too: "Ask your IT, quoting the code" needs it,
// and IT finds it in the logs and in docs/cli.md.
function problemCard(p) {
  return el("li", { class: p.who, "data-code": p.code },
    el("div", { class: "headline" }, p.headline),
    p.body ? el("div", {}, p.body) : "",
    fix(p.action),
    el("div", { class: "code" }, `${w("tray-problem-code")}: ${p.code}`));
}

function render(view) {
  words = view.words;
  const s = view.snapshot;
  lang = s ? s.lang : lang;
  document.documentElement.lang = lang;
  for (const e of document.querySelectorAll("[data-word]")) e.textContent = w(e.dataset.word);
  document.title = w("tray-window-title");

  const state = $("state");
  if (!s) {
    state.className = "state needs_admin";
    state.textContent = view.problem ? view.problem.headline : "";
    $("problems-section").hidden = false;
    $("problems").replaceChildren(...(view.problem ? [problemCard(view.problem)] : []));
    return;
  }
  state.className = `state ${s.tray}`;
  state.dataset.tray = s.tray;
  state.textContent = s.status_line;

  $("first-run").hidden = !!s.account || s.signing_in;
  $("waiting").hidden = !s.signing_in;

  const problems = [...s.problems, ...s.warnings].filter((p) => p.code !== "signin.none");
  // Before the first sign-in the welcome says what to do: no "Nothing
  // needs your attention" under it.
  $("problems-section").hidden = !s.account && problems.length === 0;
  $("problems").replaceChildren(...(problems.length
    ? problems.map(problemCard)
    : [el("li", { class: "nobody" }, w("tray-no-problems"))]));

  $("account-section").hidden = !s.account;
  $("account").replaceChildren(...view.account.map((l) => el("div", {}, l)));

  $("modules-section").hidden = !s.account;
  // Counts and times come worded (view.modules, in the same order).
  $("modules").replaceChildren(...s.modules.map((m, i) => el("tr", { "data-module": m.module, "data-ok": String(m.ok) },
    el("td", {}, m.ok ? el("span", { class: "mark", title: w("tray-module-ok") }, "✔") : ""),
    el("td", {}, m.name),
    el("td", { class: m.enabled ? "" : "off" }, m.enabled ? w("tray-module-on") : w("tray-module-off")),
    el("td", { "data-count": String(m.in_step) }, view.modules[i].items ?? ""),
    el("td", { class: "when" }, view.modules[i].last_run ?? "",
      view.modules[i].next_run ? el("div", {}, view.modules[i].next_run) : ""),
    // The module's last problem (its items failed, or the run stopped);
    // the fix is with the problems above when the run stopped.
    m.problem
      ? el("td", { class: `problem ${m.problem.who}`, "data-problem": m.problem.code, title: m.problem.body }, m.problem.headline)
      // An empty cell, so that every row's line runs the table's width.
      : el("td", {}))));

  $("runs-section").hidden = s.runs.length === 0;
  $("runs").replaceChildren(...s.runs.map((r, i) => el("li", {},
    el("span", { class: "when" }, view.run_times[i]), r.summary,
    r.problem ? el("div", { class: "fix" }, r.problem.headline) : "",
    (r.left_out || []).length
      ? el("ul", { class: "left-out" }, ...r.left_out.map((line) => el("li", {}, line)))
      : "")));

  renderSettings(s.settings, view.firm);
}

function renderSettings(settings, firm) {
  $("settings-section").hidden = false;
  const may = new Set(settings.user_may_set);
  const u = settings.user;
  const form = $("settings");
  const box = (key, label, checked, setting) => {
    const input = el("input", { type: "checkbox", "data-key": key });
    input.checked = checked;
    input.disabled = !may.has(key);
    input.addEventListener("change", () => save(setting(input.checked)));
    return el("label", {}, input, " ", label);
  };
  const interval = el("input", { type: "number", min: "1", max: "1440", "data-key": "policy.sync_interval_minutes" });
  interval.value = String(u.interval_minutes);
  interval.disabled = !may.has("policy.sync_interval_minutes");
  interval.addEventListener("change", () => save({ setting: "interval_minutes", value: Number(interval.value) }));
  const language = el("select", { "data-key": "app.language" },
    el("option", { value: "" }, w("tray-language-system")),
    el("option", { value: "en" }, w("tray-language-en")),
    el("option", { value: "de" }, w("tray-language-de")));
  language.value = u.language && u.language !== "system" ? u.language : "";
  language.disabled = !may.has("app.language");
  language.addEventListener("change", () => save({ setting: "language", value: language.value || null }));
  const module = (m, on) => ({ setting: "module", value: { module: m, on } });
  form.replaceChildren(
    el("h3", {}, w("tray-setting-modules")),
    box("modules.calendar", moduleName("calendar"), u.calendar, (on) => module("calendar", on)),
    box("modules.tasks", moduleName("tasks"), u.tasks, (on) => module("tasks", on)),
    box("modules.contacts", moduleName("contacts"), u.contacts, (on) => module("contacts", on)),
    el("label", {}, w("tray-setting-interval") + " ", interval),
    box("app.start_at_login", w("tray-setting-start-at-login"), u.start_at_login, (on) => ({ setting: "start_at_login", value: on })),
    el("label", {}, w("tray-setting-language") + " ", language));
  $("firm").replaceChildren(...firm.flatMap((f) => [el("dt", { title: f.key }, f.label), el("dd", {}, f.value)]));
}

let lastModules = [];
function moduleName(m) {
  const row = lastModules.find((r) => r.module === m);
  return row ? row.name : m;
}

async function save(setting) {
  const result = $("settings-result");
  try {
    await invoke("set_setting", { setting });
    // A word, so that a language switch re-renders it in the new language.
    result.dataset.word = "tray-saved";
    result.textContent = w("tray-saved");
  } catch (problem) {
    delete result.dataset.word;
    result.textContent = problem && problem.headline ? `${problem.headline}. ${problem.body}` : String(problem);
  }
}

async function refresh() {
  const view = await invoke("view");
  if (view.snapshot) lastModules = view.snapshot.modules;
  render(view);
}

$("sign-in").addEventListener("click", () => invoke("sign_in"));
$("cancel-sign-in").addEventListener("click", () => invoke("cancel_sign_in"));
// Listen before asking: a change told while the first view is on its way
// would otherwise be missed until the next minute's refresh.
listen("view-changed", refresh).finally(refresh);
// The times say how long ago ("5 minutes ago"): asked again each minute
// so that they stay true while the window stays open.
setInterval(refresh, 60_000);
