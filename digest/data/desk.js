// digest preview: follow the builds, and the editor's desk (curate the draft in the page).
// Plain JavaScript, no library, no build step. Every change goes to the server as JSON with the
// page's token and the version of the draft it saw; the server writes the draft file, and the
// rebuild it triggers comes back through the long poll like any save.
"use strict";

const meta = (name) => document.querySelector(`meta[name="${name}"]`).content;
const TOKEN = meta("digest-token"), SESSION = meta("digest-session");
let build = Number(meta("digest-build"));
let desk = null;            // the draft as the server last described it
let focusAfter = null;      // [section, item, action] to focus once the desk is drawn again
let changeSentAt = null;    // when the last change left the page: for the refresh timing
let drawnVersion = "";      // the draft's version as drawn: what every change says it saw
let saving = null;          // the editor whose text is being saved: {key, value}
let reopen = null;          // an editor to open again once drawn, as typed (its save was refused: the file changed)
let answered = 0;           // changes answered so far: a desk fetched before the latest answer is older than it
window.deskTimings = [];    // ms from a change in the page to the desktop frame showing its rebuild

const $ = (selector, root = document) => root.querySelector(selector);
const pause = (ms) => new Promise((done) => setTimeout(done, ms));
const say = (message) => { $("#status").textContent = message; };

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === false || value === null || value === undefined) continue;
    if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else if (name === "text") node.textContent = value;
    else node.setAttribute(name, value === true ? "" : value);
  }
  node.append(...children.filter((c) => c !== null && c !== undefined && c !== false));
  return node;
}

// --- following builds -----------------------------------------------------------------------

const frames = () => [...document.querySelectorAll("iframe")];

function reloadFrame(frame, then) {
  const y = frame.contentWindow ? frame.contentWindow.scrollY : 0;
  frame.addEventListener("load", () => {
    frame.contentWindow.scrollTo(0, y);
    if (then) then();
  }, {once: true});
  const base = frame.getAttribute("src").split("?")[0];
  frame.contentWindow.location.replace(`${base}?build=${build}`);
}

function reloadFrames() {
  // the desktop view first: it is the one beside the desk; the others once it is shown
  const desktop = $("#desktop");
  if (!desktop) return;
  reloadFrame(desktop, () => {
    document.documentElement.dataset.shownBuild = String(build);
    if (changeSentAt !== null) {
      window.deskTimings.push(performance.now() - changeSentAt);
      changeSentAt = null;
    }
    for (const frame of frames()) if (frame !== desktop) reloadFrame(frame);
  });
}

async function refresh(failed) {
  if (!failed) reloadFrames();  // a failed build keeps the last good newsletter on screen
  const page = new DOMParser().parseFromString(await (await fetch("/", {cache: "no-store"})).text(), "text/html");
  if (!$("#desktop") && page.getElementById("desktop")) { location.reload(); return; }  // the first good build
  for (const id of ["page-title", "build-info", "banner", "report", "text"]) {
    const mine = document.getElementById(id), theirs = page.getElementById(id);
    if (mine && theirs) mine.innerHTML = theirs.innerHTML;
  }
  await loadDesk();
}

async function followBuilds() {
  for (;;) {
    try {
      const answer = await (await fetch(`/events?since=${build}`, {cache: "no-store"})).json();
      if (answer.session !== SESSION) { location.reload(); return; }
      if (answer.build !== build) {
        build = answer.build;
        await refresh(Boolean(answer.error));
      }
    } catch (error) {
      say("The preview server is not answering: is `digest preview` still running?");
      await pause(1000);
    }
  }
}

// --- talking to the desk ----------------------------------------------------------------------

async function post(path, body) {
  return fetch(path, {method: "POST", cache: "no-store", body: body === undefined ? undefined : JSON.stringify(body),
                      headers: {"Content-Type": "application/json", "X-Digest-Token": TOKEN}});
}

async function change(op, fields = {}, done = "Saved to the draft.") {
  changeSentAt = performance.now();
  let answer;
  try {
    answer = await post("/api/desk", {op, version: drawnVersion, ...fields});
  } catch (error) {
    changeSentAt = null;
    say(`Not saved: ${error.message}`);
    return false;
  }
  const data = await answer.json().catch(() => ({}));
  answered += 1;
  if (answer.ok) {
    desk = data;
    say(data.message || done);
    drawDesk();
  } else {
    changeSentAt = null;
    say(data.error || `Not saved (${answer.status}).`);
    if (data.state) {  // 409: the file changed on disk; show it as it is now (with the editor's typing kept)
      desk = data.state;
      reopen = saving;
      drawDesk();
    }
  }
  return answer.ok;
}

window.deskChange = change;  // for the Easy Read tab (desk-easyread.js)

async function loadDesk() {
  const seen = answered;
  const answer = await fetch("/api/desk", {cache: "no-store"});
  if (!answer.ok) return;
  const state = await answer.json();
  if (seen !== answered) return;  // a change was answered meanwhile: its state is newer than this one
  desk = state;
  drawDesk();
}

const itemPartFinder = (s, i, action) => (body) =>
  body.querySelector(`li[data-section="${s}"][data-item="${i}"] [data-action="${action}"]`)
  || body.querySelector(`li[data-section="${s}"][data-item="${i}"]`);

function focusFinder(body) {
  // how to find the focused element again once the desk is drawn anew (a rebuild redraws it): by its item and
  // action, else its id, label, or a button's words; null when the focus is elsewhere
  const active = document.activeElement;
  if (!active || active === body || !body.contains(active)) return null;
  const li = active.closest("li[data-section][data-item]");
  const action = active.getAttribute("data-action");
  if (li && action) return itemPartFinder(li.dataset.section, li.dataset.item, action);
  const label = active.getAttribute("aria-label");
  const same = active.id ? (node) => node.id === active.id
    : label ? (node) => node.getAttribute("aria-label") === label
    : ["BUTTON", "SUMMARY"].includes(active.tagName) ? (node) => node.tagName === active.tagName && node.textContent === active.textContent
    : null;
  return same && ((b) => [...b.querySelectorAll(active.tagName)].find(same));
}

function focusWith(body, finder) {
  const target = finder(body);
  if (target) target.focus();
}

function keepOpen(body) {
  // the <details> the editor opened (a section's "Add an item", a service's guide) stay open when drawn again
  const summary = (details) => details.querySelector(":scope > summary")?.textContent;
  const opened = new Set([...body.querySelectorAll("details[open]")].map(summary));
  return () => { for (const details of body.querySelectorAll("details")) if (opened.has(summary(details))) details.open = true; };
}

// the hand-off and Easy Read panels redraw on every rebuild too: the same focus and open parts kept
window.deskRedraw = (body, parts) => {
  const kept = focusFinder(body), reopenParts = keepOpen(body);
  body.replaceChildren(...parts);
  reopenParts();
  if (kept) focusWith(body, kept);
};

// --- drawing the desk ------------------------------------------------------------------------

const movable = () => desk.sections.map((s, i) => [s, i]).filter(([s]) => s.kind !== "text");

function drawDesk() {
  const body = $("#desk-body");
  if (!body || !desk) return;
  if (body.querySelector("[data-dirty]") && !focusAfter) return;  // never throw away what the editor is typing
  const kept = focusAfter ? null : focusFinder(body), reopenParts = keepOpen(body);
  body.replaceChildren(...deskParts().filter(Boolean));  // a part left out is null: never the word "null"
  reopenParts();
  drawnVersion = desk.version || "";
  document.dispatchEvent(new CustomEvent("desk:state", {detail: desk}));  // the Easy Read tab (desk-easyread.js)
  let reopened = null;
  if (reopen) {
    const {key, value} = reopen;
    reopen = null;
    const button = body.querySelector(`[data-editor="${CSS.escape(key)}"]`);
    if (button) {
      button.click();
      reopened = body.querySelector("[data-dirty]");  // an editor is marked from the moment it opens
      if (reopened) reopened.value = value;
    }
  }
  const goal = focusAfter ? itemPartFinder(...focusAfter) : kept;
  focusAfter = null;
  if (reopened) setTimeout(() => reopened.focus());
  else if (goal) focusWith(body, goal);
  document.dispatchEvent(new CustomEvent("desk:drawn"));  // the hand-off (desk-handoff.js) follows the draft
}

function deskParts() {
  if (!desk.draft) {
    return [el("p", {class: "source", text: "This edition comes straight from the members’ feeds. Start editing it "
                                            + "to choose, reorder and rewrite what goes out."}),
            desk.can_create ? el("button", {type: "button", class: "primary", onclick: () => change("create")},
                                 "Start editing this edition") : null,
            desk.message ? el("p", {text: desk.message}) : null];
  }
  const newCount = desk.sections.reduce((n, s) => n + s.items.filter((i) => i.new).length, 0);
  const parts = [
    desk.writable || desk.published ? null : el("p", {class: "source", text: "You can read this edition here but not change it: it is "
                                                        + "kept outside your editions folder, so change it in your text editor."}),
    ...(desk.published ? [el("p", {class: "published", role: "note", text: desk.published})] : []),
    el("div", {class: "toolbar"},
       el("button", {type: "button", disabled: !desk.can_undo || !desk.writable, onclick: () => change("undo", {}, "Undone.")}, "Undo"),
       el("button", {type: "button", disabled: !desk.writable || !!desk.error,
                     title: "Add what the feeds have that this draft has never offered",
                     onclick: () => change("topup")}, "Add new items from the feeds"),
       newCount ? el("span", {class: "new-count", text: `${newCount} new since the draft was made`}) : null),
  ];
  if (desk.error) {
    parts.push(el("div", {class: "error", role: "alert"},
                  el("strong", {text: "The draft needs fixing in your editor before the page can change it:"}),
                  el("pre", {text: desk.error})));
    return parts;
  }
  parts.push(introPart());
  desk.sections.forEach((section, s) => parts.push(sectionPart(section, s)));
  return parts;
}

function introPart() {
  const box = el("div", {class: "intro"}, el("h3", {text: "Intro"}));
  const shown = rendered(desk.intro_html, "No intro yet.");
  const edit = el("button", {type: "button", disabled: !desk.writable, "aria-label": "Edit the intro", "data-editor": "intro",
                             onclick: () => box.replaceWith(textEditor(desk.intro, "Intro", (text) => change("intro", {text}), "intro"))}, "Edit");
  box.append(shown, el("div", {class: "tools"}, edit));
  return box;
}

function textEditor(value, label, save, key) {
  // open is in use: a rebuild's redraw must not close an editor the editor has just opened (data-dirty)
  const area = el("textarea", {"aria-label": label, "data-dirty": "1"});
  area.value = value;
  const box = el("div", {class: "editor"}, area, el("div", {class: "tools"},
    el("button", {type: "button", class: "primary", onclick: async () => {
      delete area.dataset.dirty;
      saving = {key, value: area.value};
      const saved = await save(area.value);
      saving = null;
      if (!saved && area.isConnected) area.dataset.dirty = "1";  // not saved: keep what was typed
    }}, "Save"),
    el("button", {type: "button", onclick: () => { delete area.dataset.dirty; drawDesk(); }}, "Cancel")));
  setTimeout(() => area.focus());
  return box;
}

function sectionPart(section, s) {
  const news = section.items.filter((i) => i.new).length;
  const box = el("section", {class: "desk-section", "data-section": s, "aria-label": section.title},
    el("h3", {}, section.title,
       el("span", {class: "count", text: section.kind === "text" ? "text" : `${section.items.length} item${section.items.length === 1 ? "" : "s"}`}),
       news ? el("span", {class: "new-count", text: `${news} new`}) : null));
  if (section.kind === "text") {
    box.append(rendered(section.html, "A section of your own words, set in your settings."));
    return box;
  }
  const list = el("ol", {class: "items", "data-section": s});
  section.items.forEach((item, i) => list.append(itemPart(item, s, i, section.items.length)));
  dropTarget(list, s);
  box.append(list);
  if (desk.writable) box.append(addForm(section, s));
  return box;
}

function itemPart(item, s, i, count) {
  const targets = movable().filter(([, t]) => t !== s);
  const li = el("li", {class: `item${item.new ? " new" : ""}`, draggable: desk.writable ? "true" : false,
                       tabindex: "-1", "data-section": s, "data-item": i, "aria-label": item.title});
  const title = el("button", {type: "button", class: "title", disabled: !desk.writable, "data-action": "title",
                              "data-editor": `title:${item.id || item.title}`,
                              title: "Edit the title", "aria-label": `${item.title}: edit the title`,
                              onclick: () => editTitle(li, item, s, i)}, item.title);
  li.append(
    el("div", {class: "item-head"}, el("span", {class: "grip", "aria-hidden": "true", text: "⠿"}), title,
       item.new ? el("span", {class: "badge", text: "new"}) : null),
    item.meta ? el("div", {class: "meta", text: item.meta}) : null,
    ...(item.notice ? [el("p", {class: "notice", role: "note", text: item.notice})] : []),  // cancelled, or arrived late
    rendered(item.html, ""),
  );
  if (desk.writable) {
    const move = el("select", {"aria-label": `Move “${item.title}” to another section`, "data-action": "to",
                               onchange: () => { if (move.value !== "") change("move", {section: s, item: i, to_section: Number(move.value), to_index: 9999}); }},
                    el("option", {value: "", text: "Move to…"}),
                    ...targets.map(([t, n]) => el("option", {value: n, text: t.title})));
    li.append(el("div", {class: "tools"},
      el("button", {type: "button", "data-action": "up", disabled: i === 0, "aria-label": `Move “${item.title}” up`,
                    onclick: () => { focusAfter = [s, i - 1, "up"]; change("move", {section: s, item: i, to_section: s, to_index: i - 1}); }}, "↑ Up"),
      el("button", {type: "button", "data-action": "down", disabled: i === count - 1, "aria-label": `Move “${item.title}” down`,
                    onclick: () => { focusAfter = [s, i + 1, "down"]; change("move", {section: s, item: i, to_section: s, to_index: i + 1}); }}, "↓ Down"),
      targets.length ? move : null,
      el("button", {type: "button", "data-action": "blurb", "aria-label": `Edit text of “${item.title}”`,
                    "data-editor": `item:${item.id || item.title}`,
                    onclick: () => li.replaceChildren(el("strong", {text: item.title}),
                      textEditor(item.text, `Text of ${item.title}`, (text) => change("blurb", {section: s, item: i, text}),
                                 `item:${item.id || item.title}`))}, "Edit text"),
      el("button", {type: "button", "data-action": "drop", "aria-label": `Drop “${item.title}”`,
                    onclick: () => { focusAfter = [s, Math.min(i, count - 2), "drop"]; return change("drop", {section: s, item: i}, `Dropped “${item.title}”. Undo brings it back.`); }}, "Drop")));
    dragSource(li, s, i);
  }
  return li;
}

function rendered(html, otherwise) {
  // the text as readers will see it: the server's Markdown rendering, sanitised as the email's is
  const box = el("div", {class: "blurb rendered"});
  if (html) box.innerHTML = html;
  else if (otherwise) box.append(el("span", {class: "muted", text: otherwise}));
  return box;
}

function editTitle(li, item, s, i) {
  const input = el("input", {class: "title-edit", "aria-label": `Title of ${item.title}`, value: item.title,
                             "data-dirty": "1"});  // open is in use, as in textEditor
  let finished = false;
  const finish = (save) => {
    if (finished) return;
    finished = true;
    delete input.dataset.dirty;
    if (save && input.value.trim() && input.value !== item.title) {
      focusAfter = [s, i, "title"];
      saving = {key: `title:${item.id || item.title}`, value: input.value};  // refused (the file changed): reopened as typed
      change("title", {section: s, item: i, title: input.value}).finally(() => { saving = null; });
    } else drawDesk();
  };
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter") { event.preventDefault(); finish(true); }
    if (event.key === "Escape") finish(false);
  });
  input.addEventListener("blur", () => finish(true));
  li.querySelector("button.title").replaceWith(input);
  input.focus();
  input.select();
}

function addForm(section, s) {
  const field = (label, name, type = "text") => el("label", {}, label, el("input", {name, type, "aria-label": `${label} (${section.title})`}));
  const form = el("form", {class: "add"},
    field("Title", "title"), field("Link (https://…)", "url", "url"), field("Date", "date", "date"),
    el("label", {}, "Text", el("textarea", {name: "text", "aria-label": `Text (${section.title})`})),
    el("button", {type: "submit", class: "primary"}, "Add the item"));
  form.addEventListener("input", () => { form.dataset.dirty = "1"; });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    delete form.dataset.dirty;
    const data = new FormData(form);
    const fields = Object.fromEntries(["title", "url", "date", "text"].map((k) => [k, String(data.get(k) || "")]));
    if (!fields.title.trim()) { say("A new item needs a title."); return; }
    const details = form.parentElement;
    details.open = false;  // added: the desk is drawn again with this form closed (open ones are kept open)
    if (!(await change("add", {section: s, ...fields}, `Added “${fields.title}” to ${section.title}.`))) {
      form.dataset.dirty = "1";  // not added: keep what was typed
      details.open = true;
    }
  });
  return el("details", {class: "add"}, el("summary", {text: `Add an item to ${section.title}`}), form);
}

// --- drag and drop ----------------------------------------------------------------------------

let dragged = null;

function dragSource(li, s, i) {
  li.addEventListener("dragstart", (event) => {
    dragged = [s, i];
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", `${s}:${i}`);
    li.classList.add("dragging");
  });
  li.addEventListener("dragend", () => { li.classList.remove("dragging"); clearMarks(); dragged = null; });
}

function clearMarks() {
  for (const node of document.querySelectorAll(".over-before, .over-after, .over-end")) {
    node.classList.remove("over-before", "over-after", "over-end");
  }
}

function placeIn(list, event) {
  // the item under the pointer, and whether the drop goes before or after it
  const items = [...list.querySelectorAll("li.item")];
  for (const [index, li] of items.entries()) {
    const box = li.getBoundingClientRect();
    if (event.clientY < box.top + box.height / 2) return [index, li, "over-before"];
  }
  return [items.length, items[items.length - 1] || null, items.length ? "over-after" : "over-end"];
}

function dropTarget(list, s) {
  list.addEventListener("dragover", (event) => {
    if (!dragged) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    clearMarks();
    const [, li, mark] = placeIn(list, event);
    (li || list).classList.add(mark);
  });
  list.addEventListener("dragleave", (event) => { if (!list.contains(event.relatedTarget)) clearMarks(); });
  list.addEventListener("drop", (event) => {
    event.preventDefault();
    clearMarks();
    if (!dragged) return;
    const [from, item] = dragged;
    let [index] = placeIn(list, event);
    if (from === s && item < index) index -= 1;  // positions are counted without the item itself
    dragged = null;
    if (from === s && index === item) return;
    change("move", {section: from, item, to_section: s, to_index: index});
  });
}

// --- the header's buttons ---------------------------------------------------------------------

$("#copy").addEventListener("click", async () => {
  try {
    const html = await (await fetch("/newsletter.html", {cache: "no-store"})).text();
    await navigator.clipboard.writeText(html);
    say(`Copied ${Math.round(html.length / 1024)} KB of email-ready HTML: paste it into your email service's HTML editor.`);
  } catch (error) {
    say(`Could not copy (${error.message}): open newsletter.html and copy its source instead.`);
  }
});

$("#refetch").addEventListener("click", async (event) => {
  event.target.disabled = true;
  say("Fetching every source again…");
  try {
    const answer = await post("/refetch");
    if (!answer.ok) throw new Error(await answer.text());
    say("Fetched every source again.");
  } catch (error) {
    say(`Refetch failed: ${error.message}`);
  }
  event.target.disabled = false;
});

for (const frame of frames()) {
  frame.addEventListener("load", () => {
    if (frame.id === "desktop") document.documentElement.dataset.shownBuild = String(build);
  }, {once: true});
}
followBuilds();
loadDesk();
