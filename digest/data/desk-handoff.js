// digest preview: the hand-off. What the email service asks for (subject line, preview text, the HTML and the
// plain text, and the Easy Read edition's), copy buttons for each, how to paste them into each service, and
// "Push as a draft" when a service is configured. Uses desk.js's helpers (el, say, post, change), loaded before it.
"use strict";

(() => {
  let handoff = null;  // what /api/handoff last said

  const box = () => document.getElementById("handoff-body");
  const text = async (path) => {
    const answer = await fetch(path, {cache: "no-store"});
    if (!answer.ok) throw new Error(`the page answered ${answer.status}`);
    return answer.text();
  };

  async function load() {
    const answer = await fetch("/api/handoff", {cache: "no-store"}).catch(() => null);
    if (!answer || !answer.ok) return;
    handoff = await answer.json();
    draw();
  }

  async function copy(what, get) {
    try {
      const value = await get();
      await navigator.clipboard.writeText(value);
      say(`Copied the ${what}: paste it into your email service.`);
    } catch (error) {
      say(`Could not copy the ${what} (${error.message}): select it and copy it yourself.`);
    }
  }

  function copyButton(what, get) {
    return el("button", {type: "button", onclick: () => copy(what, get)}, `Copy the ${what}`);
  }

  function field(id, label, value, editable) {
    const input = el("input", {id, type: "text", value, readonly: !editable,
                               oninput: () => { input.dataset.dirty = "1"; }});
    return [el("label", {for: id}, label), input];
  }

  async function pushDraft(variant, button) {
    const service = handoff.service;
    button.disabled = true;
    say(`Putting the ${variant === "easy-read" ? "Easy Read edition" : "newsletter"} into ${service.label} as a draft…`);
    try {
      const answer = await post("/api/push", {variant});
      const data = await answer.json().catch(() => ({}));
      say(answer.ok ? [data.message, ...data.notes].join(" ") : (data.error || `Not pushed (${answer.status}).`));
    } catch (error) {
      say(`Not pushed: ${error.message}`);
    }
    button.disabled = false;
    await load();
  }

  function servicePart(variant) {
    const service = handoff.service;
    if (!service) return null;
    if (service.missing) {
      return el("p", {class: "muted", text: `To put drafts into ${service.label} from here, ${service.missing}.`});
    }
    const what = variant === "easy-read" ? "the Easy Read edition" : "the newsletter";
    const button = el("button", {type: "button", class: "primary",
                                 onclick: () => pushDraft(variant, button)}, `Put ${what} into ${service.label} as a draft`);
    const pushed = service.pushed[variant];
    return el("div", {class: "tools"}, button,
              pushed ? el("a", {href: pushed.link, target: "_blank", rel: "noopener"},
                          `Open ${what}’s draft in ${service.label}`) : null);
  }

  function guides() {
    const chosen = handoff.service ? handoff.service.name : null;
    return el("details", {class: "guides"}, el("summary", {text: "How to paste it into your email service"}),
      ...handoff.guides.map((guide) => el("details", {open: guide.name === chosen},
        el("summary", {text: guide.label}),
        el("ol", {}, ...guide.steps.map((step) => el("li", {text: step}))))));
  }

  function draw() {
    const body = box();
    if (!body || !handoff || !handoff.ready) return;
    if (body.querySelector("[data-dirty]")) return;  // never throw away what the editor is typing
    const subject = field("handoff-subject", "Subject line", handoff.subject, handoff.editable);
    const preview = field("handoff-preview", "Preview text (shown after the subject in the inbox)", handoff.preview,
                          handoff.editable);
    const form = el("form", {class: "handoff-fields"}, ...subject, ...preview,
      handoff.editable ? el("button", {type: "submit"}, "Update the subject line and preview text")
                       : el("p", {class: "muted", text: "Start editing this edition to change them."}));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const wanted = {subject: subject[1].value, preview: preview[1].value};
      for (const input of [subject[1], preview[1]]) delete input.dataset.dirty;
      for (const op of ["subject", "preview"]) {
        if (wanted[op] !== handoff[op] && !(await change(op, {text: wanted[op]}))) return;
      }
      say("Saved the subject line and preview text to the draft.");
      await load();
    });
    const value = (input) => async () => input.value;
    window.deskRedraw(body, [
      form,
      el("div", {class: "tools"},
         copyButton("subject line", value(subject[1])), copyButton("preview text", value(preview[1])),
         copyButton("HTML", () => text("/newsletter.html")), copyButton("plain text", () => text("/newsletter.txt"))),
      servicePart("newsletter"),
      el("details", {class: "easy-read"}, el("summary", {text: "The Easy Read edition"}),
         el("div", {class: "tools"},
            copyButton("Easy Read subject line", async () => subject[1].value + handoff.easy_suffix),
            copyButton("Easy Read HTML", () => text("/handoff/easy-read.html")),
            copyButton("Easy Read plain text", () => text("/handoff/easy-read.txt"))),
         servicePart("easy-read")),
      guides(),
    ].filter(Boolean));  // a part left out is null: never the word "null"
  }

  document.addEventListener("desk:drawn", load);
  load();
})();
