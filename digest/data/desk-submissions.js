// digest preview: the desk's Submissions — what members sent by form or email, to approve, edit or reject.
// Plain JavaScript, no library. Each decision goes to the server as JSON with the page's token; a saved
// email (.eml, .msg) dropped anywhere on the page, or chosen with the button, is added as a submission.
"use strict";

(() => {
  const token = document.querySelector('meta[name="digest-token"]').content;
  const body = () => document.getElementById("submissions-body");
  const tell = (message) => { const s = document.getElementById("status"); if (s && message) s.textContent = message; };
  let list = null;
  // el(tag, attrs, ...children): desk.js's element builder, as desk-handoff.js and desk-easyread.js use it

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
    return el("p", {class: "from"}, `From ${name}`, s.email ? el("span", {class: "contact", text: ` <${s.email}>`}) : null,
                ` · ${s.received} · ${s.source}`);
  }

  function editor(s, li) {
    const title = el("input", {type: "text", "aria-label": "Title", value: s.title, class: "sub-title-edit"});
    const text = el("textarea", {"aria-label": "Text"});
    text.value = s.text;
    li.replaceChildren(el("div", {class: "editor"}, el("label", {}, "Title ", title), el("label", {}, "Text ", text),
      el("div", {class: "tools"},
        el("button", {type: "button", class: "primary", onclick: () => decide("edit", {id: s.id, title: title.value, text: text.value})}, "Save"),
        el("button", {type: "button", onclick: draw}, "Cancel"))));
    title.focus();
  }

  function rejecting(s, tools) {
    const reason = el("input", {type: "text", "aria-label": `Why reject ${s.title} (optional, for your own record)`,
                                  placeholder: "Why (optional)"});
    tools.replaceChildren(reason,
      el("button", {type: "button", class: "danger", onclick: () => decide("reject", {id: s.id, reason: reason.value})}, "Reject for good"),
      el("button", {type: "button", onclick: draw}, "Cancel"));
    reason.focus();
  }

  function item(s) {
    const sections = list.sections[s.kind === "event" ? "events" : "posts"] || [];
    const choice = el("select", {"aria-label": `Section for ${s.title}`},
      el("option", {value: "", text: "Where the rules put it"}),
      ...sections.map((t) => el("option", {value: t, text: t})));
    const li = el("li", {class: `submission ${s.status}${s.new ? " new" : ""}`, "data-id": s.id});
    const tools = el("div", {class: "tools"}, choice,
      el("button", {type: "button", class: "primary", onclick: () => decide("approve", {id: s.id, section: choice.value})}, "Approve"),
      el("button", {type: "button", onclick: () => editor(s, li)}, "Edit"),
      el("button", {type: "button", onclick: () => rejecting(s, tools)}, "Reject"));
    li.append(...[
      el("p", {class: "sub-head"}, el("strong", {text: s.title}), s.new ? el("span", {class: "badge", text: "new"}) : null,
           s.status === "held" ? el("span", {class: "held", text: "held: a flood?"}) : null,
           s.edited ? el("span", {class: "line", text: " (your version)"}) : null),
      who(s),
      s.kind === "event" ? el("p", {class: "line", text: `Event: ${s.when.replace("T", " ").slice(0, 16)}${s.where ? " · " + s.where : ""}`}) : null,
      s.url ? el("p", {class: "line", text: s.url}) : null,
      el("p", {class: "blurb", text: s.text.length > 400 ? s.text.slice(0, 400) + "…" : s.text}),
      s.attachments.length ? el("p", {class: "line", text: `Attached (not sent): ${s.attachments.join(", ")}`}) : null,
      tools].filter(Boolean));
    return li;
  }

  function draw() {
    const box = body();
    if (!box || !list) return;
    const fresh = list.submissions.filter((s) => s.new).length;
    const picker = el("input", {type: "file", accept: ".eml,.msg,message/rfc822", multiple: true, id: "submission-file",
                                  onchange: async (e) => { for (const f of e.target.files) await upload(f); }});
    box.replaceChildren(...[
      el("p", {class: "source"}, list.submissions.length
        ? `${list.submissions.length} waiting${fresh ? `, ${fresh} new since you last looked` : ""}.`
        : "Nothing waiting: members' form responses and emails appear here to approve.",
        list.mailbox ? el("label", {class: "drop-hint"}, " Drop a saved email (.eml, .msg) on the page, or add one: ", picker) : null),
      list.held ? el("p", {class: "held", role: "alert",
        text: `${list.held} held: a flood of submissions from one source in a day looks like a bot or a spam list — check before approving.`}) : null,
      el("ol", {class: "submissions"}, ...list.submissions.map(item))].filter(Boolean));
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
