// The field app: worklists in IndexedDB, entries queued offline and sent when the signal returns (docs/field-app.md).
import { kv, queue, records, wipe } from "./store.js";
import { ageOn, cleanMeasures, ownSymptoms, ruleFor, usedMeasures, warningSigns } from "./rules.js";
import { said } from "./words.js";

const $ = (sel) => document.querySelector(sel);
const T = $("#texts").dataset;
const LANG = document.documentElement.lang;  // the account's language: the server's messages are shown in it
const API = document.body.dataset.api;
const WORKLISTS = ["patients", "contacts", "door", "session", "screening"];
// The worklists this user's phone downloads and shows (the session says which: the session list to vaccinators,
// the screening targets to those who record tests).
const mine = () => session?.worklists || ["patients", "contacts", "door"];
let session = null;      // the last /session/ answer (rules, settings, csrf token)
let current = null;      // the record open on screen
let syncing = false;

// --- small helpers ------------------------------------------------------------------------------------------------
const el = (tag, props = {}, ...kids) => {
  const e = Object.assign(document.createElement(tag), props);
  for (const k of kids) e.append(k);
  return e;
};
const dmy = (iso) => {
  if (!iso) return T.never;
  const d = new Date(iso.length === 10 ? `${iso}T00:00:00` : iso);
  const p = (n) => String(n).padStart(2, "0");
  const day = `${p(d.getDate())}/${p(d.getMonth() + 1)}/${d.getFullYear()}`;
  return iso.length === 10 ? day : `${p(d.getHours())}:${p(d.getMinutes())} ${day}`;
};
const localDay = (d = new Date()) => {
  const p = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
};
const say = (text) => { $("#status").textContent = text; };
const newKey = () => (crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(16).slice(2)}`);

// --- views --------------------------------------------------------------------------------------------------------
function show(view) {
  for (const b of document.querySelectorAll(".tabs button[data-list]")) b.hidden = !mine().includes(b.dataset.list);
  for (const b of document.querySelectorAll("[data-can]")) b.hidden = !session?.can?.[b.dataset.can];
  for (const s of document.querySelectorAll(".view")) s.hidden = s.id !== `view-${view}`;
  for (const b of document.querySelectorAll(".tabs button")) b.classList.toggle("on", b.dataset.view === view);
  if (WORKLISTS.includes(view)) renderList(view);
  if (view === "queue") renderQueue();
  if (view === "settings") renderSettings();
  if (view === "found") renderFound();
}
document.addEventListener("click", (ev) => {
  const b = ev.target.closest("[data-view]");
  if (b) show(b.dataset.view);
});

async function renderCount() {
  const n = await queue.count();
  $("#queue-count").textContent = n ? `${n} ${T.unsent}` : "";
}

function renderNet() {
  $("#net").textContent = navigator.onLine ? T.online : T.offline;
}

async function renderList(worklist) {
  const list = (await records.all(worklist)).sort((a, b) => a.person.full_name.localeCompare(b.person.full_name, "vi"));
  const ul = $(`#${worklist}`);
  ul.replaceChildren();
  $(`#view-${worklist} .empty`).hidden = list.length > 0;
  const today = localDay();
  for (const r of list) {
    const age = ageOn(r.person.date_of_birth, r.person.birth_year, today);
    const line2 = {
      patients: () => `${T.lastCheck}: ${dmy(r.last_check_at)}${r.alerts.length ? ` · ⚠ ${r.alerts.length}` : ""}`,
      door: () => `${r.next_label}${r.risk_labels.length ? ` · ${r.risk_labels.join(", ")}` : ""}`,
      session: () => `${r.next_label} · ${r.campaign}${r.risk_labels.length ? ` · ${r.risk_labels.join(", ")}` : ""}`,
      screening: () => `${r.campaigns.map((c) => c.group).join(", ")} · ${T.deadline} ${dmy(r.campaigns[0].deadline)}`,
      contacts: () => `${T.followUntil} ${dmy(r.follow_up_end)} · ${T.lastCheck}: ${dmy(r.last_check_on)}`,
    }[worklist]();
    const btn = el("button", { type: "button", className: "open" },
      el("strong", { textContent: r.person.full_name }), ` · ${age ?? "?"} ${T.age}`, el("br"),
      el("small", { textContent: [[r.person.street, r.person.village].filter(Boolean).join(", "), line2].filter(Boolean).join(" · ") }));
    btn.addEventListener("click", () => ({ patients: openPatient, contacts: openContact, door: openVisit, session: openDose,
                                           screening: openTest })[worklist](r.id));
    ul.append(el("li", { className: `row-${worklist}` }, btn));
  }
}

async function openPatient(id) {
  current = await records.get("patients", id);
  if (!current) return;
  const p = current.person;
  $("#p-name").textContent = p.full_name;
  $("#p-info").textContent = [`${ageOn(p.date_of_birth, p.birth_year, localDay()) ?? "?"} ${T.age}`, p.phone,
    [p.street, p.village].filter(Boolean).join(", ")].filter(Boolean).join(" · ");
  $("#p-alerts").replaceChildren(...current.alerts.map((a) => el("li", { textContent: `${dmy(a.raised_at)}: ${a.message}` })));
  $("#p-checks").replaceChildren(...current.checks.map((c) => el("li", {
    textContent: `${dmy(c.taken_at)} · SpO2 ${c.spo2 ?? "–"} · ${c.respiratory_rate ?? "–"}/ph · ${c.pulse ?? "–"} · ${c.temperature ?? "–"}°C${c.warning_signs.length ? " ⚠" : ""}`,
  })));
  $("#check-form").reset();
  $("#person-form").phone.value = p.phone || "";
  $("#person-form").street.value = p.street || "";
  renderSymptoms();
  renderSigns();
  show("patient");
}

async function openContact(id) {
  current = await records.get("contacts", id);
  if (!current) return;
  $("#c-name").textContent = current.person.full_name;
  $("#c-info").textContent = `${current.generation} · ${T.followUntil} ${dmy(current.follow_up_end)} · ${current.person.phone || ""}`;
  $("#contact-form").reset();
  show("contact");
}

async function openVisit(id) {
  current = await records.get("door", id);
  if (!current) return;
  $("#v-name").textContent = current.person.full_name;
  $("#v-info").textContent = `${current.village} · ${current.next_label}${current.refusal ? ` · ${current.refusal}` : ""}`;
  const select = $("#visit-form").outcome;
  select.replaceChildren(...(session?.visit_outcomes || []).map(([code, label]) => el("option", { value: code, textContent: label })));
  $("#visit-form").reset();
  show("visit");
}

$("#visit-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const f = ev.target;
  await enqueue({ kind: "door_visit", person: current.id, day: localDay(), outcome: f.outcome.value, reason: f.reason.value,
                  label: current.person.full_name });
  show("door");
});

// --- doses (session list), rapid tests (screening list), people found in the field ---------------------------------
// `current` for these forms: a worklist record, or a person found today ({person_key, person}) not yet on the server.
const options = (select, pairs, chosen) => {
  select.replaceChildren(...pairs.map(([code, label]) => el("option", { value: code, textContent: label, selected: code === chosen })));
};
const who = (r) => (r.person_key ? { person_key: r.person_key } : { person: r.person.id });

async function openDose(id, record) {
  current = record || (await records.get("session", id));
  if (!current) return;
  $("#d-name").textContent = current.person.full_name;
  $("#d-info").textContent = [current.next_label, current.campaign, current.village, current.refusal].filter(Boolean).join(" · ");
  const f = $("#dose-form");
  f.reset();
  const fits = (session?.products || []).filter((p) => !current.products || current.products.includes(p.code));
  options(f.product, (fits.length ? fits : session?.products || []).map((p) => [p.code, p.name]));
  options(f.dose_kind, session?.dose_kinds || [], current.dose_kind === "routine" ? "primary" : current.dose_kind || "primary");
  f.dose_kind.closest("label").hidden = current.dose_kind === "routine";
  f.dose_number.value = current.dose_number ?? "";
  $("#view-dose .back").dataset.view = current.person_key ? "found" : "session";
  show("dose");
}

$("#dose-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const f = ev.target;
  // The server checks the dose against the schedule and dose policy in force on the day; a refusal comes back with
  // its reason in the queue.
  await enqueue({ kind: "dose", ...who(current), product: f.product.value, dose_kind: f.dose_kind.value,
                  dose_number: f.dose_number.value ? Number(f.dose_number.value) : null, given_on: localDay(), lot: f.lot.value,
                  campaign: current.campaign_id || null, label: current.person.full_name });
  show(current.person_key ? "found" : "session");
});

async function openTest(id, record) {
  current = record || (await records.get("screening", id));
  if (!current) return;
  $("#t-name").textContent = current.person.full_name;
  $("#t-info").textContent = [(current.campaigns || []).map((c) => `${c.name} (${c.group})`).join(", "), current.village]
    .filter(Boolean).join(" · ");
  const f = $("#test-form");
  f.reset();
  const kinds = (session?.test_kinds || []).filter(([k]) => !current.kinds || current.kinds.includes(k));
  options(f.test_kind, kinds.length ? kinds : session?.test_kinds || [], "rapid_antigen");
  options(f.result, session?.test_results || [], "negative");
  $("#view-test .back").dataset.view = current.person_key ? "found" : "screening";
  show("test");
}

$("#test-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const f = ev.target;
  await enqueue({ kind: "rapid_test", ...who(current), test_kind: f.test_kind.value, sample_code: f.sample_code.value.trim(),
                  taken_on: localDay(), result: f.result.value, label: current.person.full_name });
  show(current.person_key ? "found" : "screening");
});

function openNewPerson() {
  const f = $("#newperson-form");
  f.reset();
  options(f.village, [["", "—"], ...(session?.villages || [])], "");
  show("newperson");
}
for (const b of document.querySelectorAll(".add-person")) b.addEventListener("click", openNewPerson);

$("#newperson-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const f = ev.target;
  const key = newKey();
  const data = { full_name: f.full_name.value.trim(), birth_year: f.birth_year.value ? Number(f.birth_year.value) : null,
                 date_of_birth: f.date_of_birth.value || null, sex: f.sex.value, id_number: f.id_number.value.trim(),
                 phone: f.phone.value.trim(), village: f.village.value ? Number(f.village.value) : null, street: f.street.value.trim() };
  if (!data.birth_year && data.date_of_birth) data.birth_year = Number(data.date_of_birth.slice(0, 4));
  // Kept on the phone for the day, so that a dose or a test can be recorded for her before the server knows her:
  // those entries name her by this entry's key, which the server resolves.
  await records.put("found", [{ id: key, person_key: key, day: localDay(), created: Date.now(),
    person: { full_name: data.full_name, birth_year: data.birth_year, date_of_birth: data.date_of_birth, phone: data.phone,
              village: (session?.villages || []).find(([v]) => v === data.village)?.[1] || "" } }]);
  await enqueue({ kind: "new_person", key, data, label: data.full_name });
  show("found");
});

async function renderFound() {
  const today = localDay();
  const list = (await records.all("found")).filter((r) => r.day === today).sort((a, b) => b.created - a.created);
  $("#found").replaceChildren(...list.map((r) => {
    const dose = el("button", { type: "button", textContent: T.recordDose, className: "found-dose", hidden: !session?.can?.dose });
    const test = el("button", { type: "button", textContent: T.recordTest, className: "found-test", hidden: !session?.can?.rapid_test });
    dose.addEventListener("click", () => openDose(null, { ...r, products: null, dose_kind: "primary", dose_number: 1 }));
    test.addEventListener("click", () => openTest(null, { ...r, kinds: null }));
    return el("li", { className: "row-found" }, el("strong", { textContent: r.person.full_name }),
      ` · ${r.person.birth_year || "?"}${r.person.village ? ` · ${r.person.village}` : ""}`, el("br"), dose, " ", test);
  }));
  $("#view-found .empty").hidden = list.length > 0;
}

// The warning-sign rule of the open patient's disease in force on `day` (the default disease's for an old record).
function patientRule(day) {
  if (!session) return null;
  const versions = (current && session.rules_by_disease && session.rules_by_disease[current.disease]) || session.rules;
  return ruleFor(versions || [], day);
}

// The check form of the patient's disease: only the measures its rule judges, and its own warning signs (dengue) in
// place of the general symptom list when the rule labels them — as the server's form (cases/forms.py:CheckForm).
function renderSymptoms() {
  const box = $("#symptoms");
  box.querySelectorAll("label").forEach((l) => l.remove());
  const rule = patientRule(localDay());
  const own = ownSymptoms(rule);
  const lang = document.documentElement.lang;
  const list = Object.keys(own).length ? own : (session?.symptoms || {});
  box.querySelector("legend").textContent = Object.keys(own).length ? T.warningSigns : T.symptoms;
  for (const [code, label] of Object.entries(list)) {
    box.append(el("label", {}, el("input", { type: "checkbox", name: "symptom", value: code }), ` ${lang === "en" ? label.en : label.vi}`));
  }
  const used = new Set(usedMeasures(rule));
  for (const k of ["respiratory_rate", "spo2", "pulse", "temperature", "systolic", "diastolic"]) {
    $("#check-form")[k].closest("label").style.display = used.has(k) ? "" : "none";
  }
}

function checkInput() {
  const f = $("#check-form");
  const raw = {};
  for (const k of ["respiratory_rate", "spo2", "pulse", "temperature", "systolic", "diastolic"]) raw[k] = f[k].value;
  const symptoms = [...f.querySelectorAll("input[name=symptom]:checked")].map((i) => i.value);
  return { raw, values: cleanMeasures(raw), symptoms };
}

// Warning signs at once, on the phone, under the rule version in force today (the values the server shipped).
function renderSigns() {
  const ul = $("#signs");
  if (!session || !current) { ul.replaceChildren(); return; }
  const { values, symptoms } = checkInput();
  const day = localDay();
  const rule = patientRule(day);
  if (!rule) { ul.replaceChildren(); return; }
  const age = ageOn(current.person.date_of_birth, current.person.birth_year, day);
  const signs = warningSigns(rule, { age, values, symptoms }, session.symptoms);
  ul.replaceChildren(...(signs.length ? signs.map((s) => el("li", { textContent: said(s, LANG) }))
    : [el("li", { className: "ok", textContent: T.noSigns })]));
}
$("#check-form").addEventListener("input", renderSigns);

$("#check-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const { values, symptoms } = checkInput();
  if (Object.values(values).every((v) => v === null) && !symptoms.length) { say(T.emptyCheck); return; }
  const sent = {};
  for (const [k, v] of Object.entries(values)) if (v !== null) sent[k] = v;
  await enqueue({ kind: "check", case: current.id, taken_at: new Date().toISOString(), values: sent, symptoms,
                  label: current.person.full_name });
  ev.target.reset();
  renderSigns();
});

$("#person-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const f = ev.target, p = current.person, changes = {};
  for (const k of ["phone", "street"]) if ((f[k].value || "") !== (p[k] || "")) changes[k] = f[k].value;
  if (!Object.keys(changes).length) return;
  await enqueue({ kind: "person_edit", person: p.id, base_version: p.version, base: { phone: p.phone, street: p.street },
                  changes, label: p.full_name });
});

$("#contact-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const f = ev.target;
  await enqueue({ kind: "contact_check", contact: current.id, day: localDay(), has_symptoms: f.has_symptoms.checked,
                  symptoms: f.symptoms.value, temperature: f.temperature.value.replace(",", ".") || null, note: f.note.value,
                  label: current.person.full_name });
  f.reset();
});

async function enqueue(entry) {
  await queue.add({ key: newKey(), ...entry, created: Date.now(), state: "waiting" });
  say(T.saved);
  await renderCount();
  if (navigator.onLine) sync();
}

// --- queue screen: waiting, refused (kept for a supervisor), conflicts (the user decides) -------------------------------
const KIND = { check: () => T.check, contact_check: () => T.contactCheck, person_edit: () => T.personEdit, door_visit: () => T.doorVisit,
               dose: () => T.dose, rapid_test: () => T.rapidTest, new_person: () => T.newPerson };

async function renderQueue() {
  const entries = await queue.all();
  $("#queue").replaceChildren(...entries.map((e) => {
    const li = el("li", { className: `state-${e.state}` },
      el("strong", { textContent: `${(KIND[e.kind] || (() => e.kind))()} · ${e.label || ""}` }), el("br"),
      el("small", { textContent: `${dmy(new Date(e.created).toISOString())} · ${e.state === "waiting" ? T.waiting : e.state === "refused" ? `${T.refused}: ${said(e, LANG)}` : T.conflict}` }));
    if (e.state === "conflict") {
      const grid = el("div", { className: "versions" },
        el("div", {}, el("strong", { textContent: T.myVersion }), ...Object.entries(e.changes).map(([k, v]) => el("div", { textContent: `${k}: ${v}` }))),
        el("div", {}, el("strong", { textContent: T.serverVersion }), ...Object.keys(e.changes).map((k) => el("div", { textContent: `${k}: ${e.server[k] ?? ""}` }))));
      const mine = el("button", { type: "button", textContent: T.keepMine, className: "keep-mine" });
      const theirs = el("button", { type: "button", textContent: T.keepServer, className: "keep-server" });
      mine.addEventListener("click", async () => {
        // Re-based on the server's version: the next sync writes mine over it, knowingly.
        await queue.add({ ...e, base_version: e.server.version, state: "waiting", key: newKey() });
        await queue.remove([e.key]);
        await renderQueue(); await renderCount();
        if (navigator.onLine) sync();
      });
      theirs.addEventListener("click", async () => {
        await queue.remove([e.key]);
        await applyServerPerson(e.server);
        await renderQueue(); await renderCount();
      });
      li.append(grid, mine, theirs);
    }
    if (e.state === "refused" && e.code === "possible_duplicate") {
      // Someone else of the same name and year: the user says so, and the entries that name her go again with it.
      const anyway = el("button", { type: "button", textContent: T.addAnyway, className: "add-anyway" });
      anyway.addEventListener("click", async () => {
        await queue.add({ ...e, data: { ...e.data, confirm_not_duplicate: true }, state: "waiting" });
        for (const d of await queue.all()) if (d.person_key === e.key && d.state === "refused") await queue.add({ ...d, state: "waiting" });
        await renderQueue(); await renderCount();
        if (navigator.onLine) sync();
      });
      li.append(anyway);
    }
    return li;
  }));
  const sent = (await kv.get("sent")) || [];
  $("#sent").replaceChildren(...sent.map((s) => el("li", { className: `sent-${s.status}`, textContent:
    `${s.label || ""}: ${T[s.status] || s.status}${s.alert ? ` · ${T.alertSent}` : ""}${said(s, LANG) ? ` · ${said(s, LANG)}` : ""}` })));
}

async function applyServerPerson(server) {
  for (const w of WORKLISTS) {
    for (const r of await records.all(w)) {
      if (r.person.id === server.id) {
        Object.assign(r.person, server);
        await records.put(w, [r]);
      }
    }
  }
}

$("#export").addEventListener("click", async () => {
  const blob = new Blob([JSON.stringify(await queue.all(), null, 1)], { type: "application/json" });
  const a = el("a", { href: URL.createObjectURL(blob), download: `phieu-chua-gui-${localDay()}.json` });
  document.body.append(a); a.click(); a.remove();
});

// --- sync -----------------------------------------------------------------------------------------------------------
class AccessRefused extends Error {}
class SignedOut extends Error {}

async function api(path, options = {}) {
  const headers = { Accept: "application/json", ...(options.headers || {}) };
  if (options.body) { headers["Content-Type"] = "application/json"; headers["X-CSRFToken"] = session?.csrf_token || ""; }
  const r = await fetch(API + path, { credentials: "same-origin", cache: "no-store", ...options, headers });
  if (r.status === 401) throw new SignedOut("401");
  if (r.status === 403) throw new AccessRefused("403");
  if (!r.ok) throw new Error(`${r.status}`);
  return r.json();
}

async function upload() {
  const waiting = (await queue.all()).filter((e) => e.state === "waiting");
  const log = [];
  for (let i = 0; i < waiting.length; i += 100) {
    const batch = waiting.slice(i, i + 100);
    const entries = batch.map(({ label, state, created, base, message_vi, message_en, server, code, ...wire }) => wire);
    const { answers } = await api("upload/", { method: "POST", body: JSON.stringify({ entries }) });
    const done = [];
    for (const [n, a] of answers.entries()) {
      const e = batch[n];
      log.push({ label: e.label, status: a.status, alert: a.alert || null, message_vi: a.message_vi || "", message_en: a.message_en || "" });
      if (a.status === "stored" || a.status === "duplicate") {
        done.push(e.key);
        if (a.server && e.kind === "person_edit") await applyServerPerson(a.server);
      } else {
        // Refused or in conflict: kept on the phone, shown in the queue; never sent again by itself.
        await queue.add({ ...e, state: a.status, message_vi: a.message_vi, message_en: a.message_en, server: a.server, code: a.code });
      }
    }
    await queue.remove(done);
  }
  if (log.length) await kv.set("sent", log);
  return log.length;
}

// The worklists side by side (on a 400 ms round trip, one after the other cost a round trip each); the pages of one
// worklist in order, each cursor leading to the next.
async function download() {
  // A worklist this user no longer has (his role changed) leaves the phone.
  for (const w of WORKLISTS.filter((l) => !mine().includes(l))) { await records.keepOnly(w, []); await kv.set(`cursor:${w}`, null); }
  const today = localDay();
  await records.keepOnly("found", (await records.all("found")).filter((r) => r.day === today).map((r) => r.id));
  await Promise.all(mine().map(async (w) => {
    let cursor = await kv.get(`cursor:${w}`);
    for (;;) {
      const page = await api(`worklists/${w}/${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ""}`);
      await records.put(w, page.records);
      cursor = page.cursor;
      if (!page.more) { await records.keepOnly(w, page.ids); break; }
    }
    await kv.set(`cursor:${w}`, cursor);
  }));
}

export async function sync() {
  if (syncing || !navigator.onLine) return;
  syncing = true;
  say(T.syncing);
  try {
    session = await api("session/");
    await kv.set("session", session);
    await upload();
    await download();
    await kv.set("lastSync", Date.now());
    say(`${T.synced} ${dmy(new Date().toISOString())}`);
    document.body.dataset.synced = String(Date.now());
  } catch (err) {
    say(err instanceof AccessRefused ? T.refusedAccess : err instanceof SignedOut ? T.signedOut : T.syncFailed);
    document.body.dataset.syncError = err instanceof AccessRefused ? "access" : err instanceof SignedOut ? "signed-out" : "network";
  } finally {
    syncing = false;
    await renderCount();
    const open = [...document.querySelectorAll(".view")].find((s) => !s.hidden);
    if (open && [...WORKLISTS, "queue", "found"].includes(open.id.slice(5))) show(open.id.slice(5));
  }
}

// --- protection: wipe after N days without sync, PIN after inactivity, wipe at sign-out --------------------------------
async function digest(pin, salt) {
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(pin), "PBKDF2", false, ["deriveBits"]);
  const bits = await crypto.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt: new TextEncoder().encode(salt), iterations: 100000 }, key, 256);
  return btoa(String.fromCharCode(...new Uint8Array(bits)));
}

$("#pin-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const salt = newKey();
  await kv.set("pin", { salt, hash: await digest(ev.target.pin.value, salt) });
  ev.target.reset();
  say(T.pinSet);
});

let lastActivity = Date.now();
let wrongPins = 0;
for (const e of ["pointerdown", "keydown"]) document.addEventListener(e, () => { lastActivity = Date.now(); }, { passive: true });
setInterval(async () => {
  const minutes = session?.settings?.lock_after_minutes || 10;
  if ($("#lock").hidden && Date.now() - lastActivity > minutes * 60000) $("#lock").hidden = false;
}, 15000);

$("#unlock-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const pin = await kv.get("pin");
  if (pin && (await digest(ev.target.pin.value, pin.salt)) === pin.hash) {
    $("#lock").hidden = true; lastActivity = Date.now(); wrongPins = 0; ev.target.reset(); return;
  }
  wrongPins += 1;
  $("#unlock-msg").textContent = T.pinWrong;
  if (wrongPins >= 5) { await wipe(); location.assign(document.body.dataset.login); }
});

function renderSettings() {
  const s = session?.settings || {};
  $("#protection").textContent = `${T.protection} ${s.wipe_after_days ?? "?"} · ${T.lockAfter} ${s.lock_after_minutes ?? "?"}`;
}

$("#signout").addEventListener("click", async () => {
  if ((await queue.count()) && !confirm(T.confirmSignout)) return;
  const token = session?.csrf_token || "";
  await wipe();
  if ("caches" in window) for (const k of await caches.keys()) await caches.delete(k);
  const f = el("form", { method: "post", action: document.body.dataset.logout });
  f.append(el("input", { type: "hidden", name: "csrfmiddlewaretoken", value: token }));
  document.body.append(f);
  f.submit();
});

// --- start --------------------------------------------------------------------------------------------------------
async function start() {
  session = await kv.get("session");
  const last = await kv.get("lastSync");
  const days = session?.settings?.wipe_after_days;
  if (last && days && Date.now() - last > days * 86400000) {
    await wipe();
    session = null;
    say(T.wiped);
  }
  renderNet();
  await renderCount();
  show("patients");
  document.body.dataset.ready = "1";
  if (navigator.onLine) sync();
}
window.addEventListener("online", () => { renderNet(); sync(); });
window.addEventListener("offline", renderNet);
setInterval(async () => { if (navigator.onLine && (await queue.count())) sync(); }, 60000);
$("#sync").addEventListener("click", () => sync());
if ("serviceWorker" in navigator) navigator.serviceWorker.register(document.body.dataset.sw, { scope: document.body.dataset.sw.replace("sw.js", "") });
start();
