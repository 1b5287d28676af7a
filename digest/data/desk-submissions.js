// digest preview: the desk's Submissions — what members sent by form or email, to approve, edit or reject.
// Plain JavaScript, no library. Each decision goes to the server as JSON with the page's token; a saved
// email (.eml, .msg) dropped anywhere on the page, or chosen with the button, is added as a submission.
"use strict";

(() => {
  const token = document.querySelector('meta[name="digest-token"]').content;
  const body = () => document.getElementById("submissions-body");
  const tell = (message) => { const s = document.getElementById("status"); if (s && message) s.textContent = message; };
  let list = null;

  function node(tag, attrs = {}, ...children) {
    const n = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs)) {
      if (value === false || value === null || value === undefined) continue;
      if (name.startsWith("on")) n.addEventListener(name.slice(2), value);
      else if (name === "text") n.textContent = value;
      else n.setAttribute(name, value === true ? "" : value);
    }
    n.append(...children.filter((c) => c !== null && c !== undefined && c !== false));
    return n;
  }

  async function answered(response) {
    const data = await response.json().catch(() => ({}));
    if (!response.ok) { tell(data.error || `Not done (${response.status}).`); return false; }
    list = data;
    draw();
    tell(data.message);
    return true;
  }

  async function decide(op, fields) {
    return answered(await fetch("/api/submissions", {method: "POST", cache: "no-store", body: JSON.stringify({op, ...fields}),
      headers: {"Content-Type": "application/json", "X-Digest-Token": token}}));
  }

  async function upload(file) {
    if (!/\.(eml|msg)$/i.test(file.name)) { tell(`${file.name} is not a saved email: drop an .eml or .msg file.`); return; }
    tell(`Adding ${file.name}…`);
    await answered(await fetch("/api/submissions/upload", {method: "POST", cache: "no-store", body: file,
      headers: {"Content-Type": "application/octet-stream", "X-Digest-Token": token,
                "X-Filename": encodeURIComponent(file.name)}}));
  }

  async function load(markSeen) {
    const response = await fetch("/api/submissions", {cache: "no-store"});
    if (!response.ok) return;
    list = await response.json();
    draw();
    if (markSeen) await fetch("/api/submissions", {method: "POST", cache: "no-store", body: JSON.stringify({op: "seen"}),
      headers: {"Content-Type": "application/json", "X-Digest-Token": token}});  // what arrives after this is new
  }

  function who(s) {
    const name = [s.name, s.organisation].filter(Boolean).join(", ") || "someone";
    return node("p", {class: "from"}, `From ${name}`, s.email ? node("span", {class: "contact", text: ` <${s.email}>`}) : null,
                ` · ${s.received} · ${s.source}`);
  }

  function editor(s, li) {
    const title = node("input", {type: "text", "aria-label": "Title", value: s.title, class: "sub-title-edit"});
    const text = node("textarea", {"aria-label": "Text"});
    text.value = s.text;
    li.replaceChildren(node("div", {class: "editor"}, node("label", {}, "Title ", title), node("label", {}, "Text ", text),
      node("div", {class: "tools"},
        node("button", {type: "button", class: "primary", onclick: () => decide("edit", {id: s.id, title: title.value, text: text.value})}, "Save"),
        node("button", {type: "button", onclick: draw}, "Cancel"))));
    title.focus();
  }

  function rejecting(s, tools) {
    const reason = node("input", {type: "text", "aria-label": `Why reject ${s.title} (optional, for your own record)`,
                                  placeholder: "Why (optional)"});
    tools.replaceChildren(reason,
      node("button", {type: "button", class: "danger", onclick: () => decide("reject", {id: s.id, reason: reason.value})}, "Reject for good"),
      node("button", {type: "button", onclick: draw}, "Cancel"));
    reason.focus();
  }

  function item(s) {
    const sections = list.sections[s.kind === "event" ? "events" : "posts"] || [];
    const choice = node("select", {"aria-label": `Section for ${s.title}`},
      node("option", {value: "", text: "Where the rules put it"}),
      ...sections.map((t) => node("option", {value: t, text: t})));
    const li = node("li", {class: `submission ${s.status}${s.new ? " new" : ""}`, "data-id": s.id});
    const tools = node("div", {class: "tools"}, choice,
      node("button", {type: "button", class: "primary", onclick: () => decide("approve", {id: s.id, section: choice.value})}, "Approve"),
      node("button", {type: "button", onclick: () => editor(s, li)}, "Edit"),
      node("button", {type: "button", onclick: () => rejecting(s, tools)}, "Reject"));
    li.append(...[
      node("p", {class: "sub-head"}, node("strong", {text: s.title}), s.new ? node("span", {class: "badge", text: "new"}) : null,
           s.status === "held" ? node("span", {class: "held", text: "held: a flood?"}) : null,
           s.edited ? node("span", {class: "line", text: " (your version)"}) : null),
      who(s),
      s.kind === "event" ? node("p", {class: "line", text: `Event: ${s.when.replace("T", " ").slice(0, 16)}${s.where ? " · " + s.where : ""}`}) : null,
      s.url ? node("p", {class: "line", text: s.url}) : null,
      node("p", {class: "blurb", text: s.text.length > 400 ? s.text.slice(0, 400) + "…" : s.text}),
      s.attachments.length ? node("p", {class: "line", text: `Attached (not sent): ${s.attachments.join(", ")}`}) : null,
      tools].filter(Boolean));
    return li;
  }

  function draw() {
    const box = body();
    if (!box || !list) return;
    const fresh = list.submissions.filter((s) => s.new).length;
    const picker = node("input", {type: "file", accept: ".eml,.msg,message/rfc822", multiple: true, id: "submission-file",
                                  onchange: async (e) => { for (const f of e.target.files) await upload(f); }});
    box.replaceChildren(...[
      node("p", {class: "source"}, list.submissions.length
        ? `${list.submissions.length} waiting${fresh ? `, ${fresh} new since you last looked` : ""}.`
        : "Nothing waiting: members' form responses and emails appear here to approve.",
        list.mailbox ? node("label", {class: "drop-hint"}, " Drop a saved email (.eml, .msg) on the page, or add one: ", picker) : null),
      list.held ? node("p", {class: "held", role: "alert",
        text: `${list.held} held: a flood of submissions from one source in a day looks like a bot or a spam list — check before approving.`}) : null,
      node("ol", {class: "submissions"}, ...list.submissions.map(item))].filter(Boolean));
  }

  function isFiles(event) { return event.dataTransfer && [...event.dataTransfer.types].includes("Files"); }
  document.addEventListener("dragover", (e) => { if (isFiles(e)) { e.preventDefault(); document.body.classList.add("dropping"); } });
  document.addEventListener("dragleave", (e) => { if (!e.relatedTarget) document.body.classList.remove("dropping"); });
  document.addEventListener("drop", async (e) => {
    if (!isFiles(e)) return;
    e.preventDefault();
    document.body.classList.remove("dropping");
    for (const file of e.dataTransfer.files) await upload(file);
  });
  // a new build (a refetch) may bring new submissions
  new MutationObserver(() => load(false)).observe(document.documentElement, {attributes: true, attributeFilter: ["data-shown-build"]});
  window.submissionsReady = load(true);
})();
