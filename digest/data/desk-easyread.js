// digest preview: the desk's Easy Read tab. The editor ticks the items the Easy Read edition tells,
// writes each an easy title and up to three short sentences, and sees beside them, as they type,
// the words in each sentence, the hard words and what the network's glossary will explain. Changes
// go through the desk (desk.js's deskChange: the draft's `easy:` blocks); the frame beside the
// desk shows the Easy Read edition while this tab is open.
"use strict";

(() => {
  const MAX_SENTENCES = 3;
  let state = null;
  let open = false;
  // $ and el() are desk.js's (loaded first, deferred in order)

  const desk = $("#desk"), deskBody = $("#desk-body"), frame = $("#desktop");
  if (!desk || !deskBody || !frame) return;
  const body = el("div", {id: "easy-body", role: "tabpanel", "aria-labelledby": "tab-easy", hidden: true});
  deskBody.setAttribute("role", "tabpanel");
  deskBody.setAttribute("aria-labelledby", "tab-edition");
  const tab = (id, label, on) => el("button", {type: "button", role: "tab", id, "aria-selected": on ? "true" : "false",
                                               onclick: () => show(id === "tab-easy")}, label);
  const tabs = el("div", {role: "tablist", class: "tabs", "aria-label": "What the desk shows"},
                  tab("tab-edition", "The edition", true), tab("tab-easy", "Easy Read", false));
  deskBody.before(tabs);
  deskBody.after(body);
  const caption = frame.closest("figure").querySelector("figcaption");
  const captions = {false: caption.textContent, true: "Easy Read (620 px)"};

  function show(easy) {
    open = easy;
    $("#tab-edition").setAttribute("aria-selected", String(!easy));
    $("#tab-easy").setAttribute("aria-selected", String(easy));
    deskBody.hidden = easy;
    body.hidden = !easy;
    caption.textContent = captions[easy];
    frame.setAttribute("src", easy ? "/easy-read.html" : "/newsletter.html");
    frame.title = easy ? "The Easy Read edition" : "The newsletter at desktop width";
    if (easy) fetch("/api/easy-feedback?text=Hello.", {cache: "no-store"}).catch(() => {});  // loads the word lists now
    draw();
  }

  document.addEventListener("desk:state", (event) => { state = event.detail; draw(); });

  function draw() {
    if (!open || !state) return;
    if (body.querySelector("[data-dirty]")) return;  // never throw away what the editor is typing
    window.deskRedraw(body, parts());  // desk.js: the focus stays where it was
  }

  function parts() {
    if (!state.draft) return [el("p", {class: "muted", text: "Make the draft first (in “The edition”): the Easy Read choice is kept in it."})];
    if (state.error) return [el("p", {class: "muted", text: "The draft needs fixing in your editor first (see “The edition”)."})];
    const chosen = state.sections.reduce((n, s) => n + s.items.filter((i) => i.easy).length, 0);
    const out = [el("p", {class: "source", id: "easy-count",
                          text: `${chosen} item${chosen === 1 ? "" : "s"} in the Easy Read edition. Tick what it should tell, and write it in easy words: a short title and up to ${MAX_SENTENCES} short sentences. Events say when, where and how to join by themselves.`})];
    state.sections.forEach((section, s) => {
      if (section.kind === "text") return;
      const list = el("ul", {class: "easy-items"});
      section.items.forEach((item, i) => list.append(itemPart(item, s, i)));
      out.push(el("section", {class: "desk-section", "aria-label": `Easy Read: ${section.title}`},
                  el("h3", {text: section.title}), list));
    });
    return out;
  }

  function itemPart(item, s, i) {
    const box = el("input", {type: "checkbox", id: `easy-${s}-${i}`, checked: item.easy, disabled: !state.writable,
                             onchange: () => window.deskChange(box.checked ? "easy" : "plain",
                               box.checked ? {section: s, item: i, title: item.title, text: ""} : {section: s, item: i},
                               box.checked ? `“${item.title}” is in the Easy Read edition: now write it in easy words.`
                                           : `“${item.title}” is out of the Easy Read edition.`)});
    const li = el("li", {class: `easy-item${item.easy ? " chosen" : ""}`, "data-section": s, "data-item": i},
      el("div", {class: "item-head"}, box, el("label", {for: box.id, text: item.title})),
      item.meta ? el("div", {class: "meta", text: item.meta}) : null);
    if (item.easy) li.append(writer(item, s, i));
    return li;
  }

  function writer(item, s, i) {
    const lines = (item.easy_text || "").split("\n").filter((l) => l.trim());
    const title = el("input", {type: "text", class: "easy-title", value: item.easy_title || item.title,
                               "aria-label": `Easy title of “${item.title}”`});
    const sentences = [...Array(MAX_SENTENCES).keys()].map((n) => el("input", {
      type: "text", class: "easy-sentence", value: lines[n] || "", "aria-label": `Sentence ${n + 1} of “${item.title}”`,
      placeholder: n === 0 ? "One short sentence." : ""}));
    const notes = el("div", {class: "easy-feedback", "aria-live": "polite"});
    const form = el("form", {class: "easy-writer"},
      el("label", {}, "Easy title", title),
      ...sentences.map((input, n) => el("label", {}, `Sentence ${n + 1}`, input)),
      notes,
      el("button", {type: "submit", class: "primary", "aria-label": `Save the easy words of “${item.title}”`}, "Save the easy words"));
    let timer = null;
    const check = () => { clearTimeout(timer); timer = setTimeout(() => feedback(title.value, sentences, notes), 200); };
    form.addEventListener("input", () => { form.dataset.dirty = "1"; check(); });
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      delete form.dataset.dirty;
      const text = sentences.map((input) => input.value.trim()).filter(Boolean).join("\n");
      if (!(await window.deskChange("easy", {section: s, item: i, title: title.value, text}, `Saved the easy words of “${item.title}”.`))) {
        form.dataset.dirty = "1";
      }
    });
    feedback(title.value, sentences, notes);
    return form;
  }

  async function feedback(title, inputs, notes) {
    const text = inputs.map((input) => input.value.trim()).filter(Boolean).join("\n");
    const query = new URLSearchParams({title, text});
    const asked = notes.asked = (notes.asked || 0) + 1;
    let data;
    try {
      data = await (await fetch(`/api/easy-feedback?${query}`, {cache: "no-store"})).json();
    } catch (error) {
      return;
    }
    if (asked !== notes.asked) return;  // an answer to an earlier keystroke, come late
    const out = [];
    if (data.title_hard.length) out.push(el("p", {class: "hard-note", text: `Title: hard word${data.title_hard.length > 1 ? "s" : ""}: ${data.title_hard.join(", ")}`}));
    for (const said of data.sentences) {
      const line = el("p", {class: `said${said.long ? " long" : ""}`});
      line.append(el("span", {class: "words", text: said.long ? `${said.words} words: too long (${data.max_words} or fewer)` : `${said.words} words`}), " ");
      const hard = new Set(said.hard.map((w) => w.toLowerCase()));
      for (const part of said.sentence.split(/([\p{L}][\p{L}'’-]*)/u)) {
        line.append(hard.has(part.replace(/^['’-]+|['’-]+$/g, "").toLowerCase()) ? el("mark", {class: "hard", title: "A long or uncommon word: is there an easier one?", text: part}) : part);
      }
      out.push(line);
    }
    for (const entry of data.glossary) {
      out.push(el("p", {class: "glossary-note"}, el("strong", {text: `“${entry.word}” is in your glossary.`}),
                  ` The Easy Read edition explains it where it is first used: ${entry.meaning}`));
    }
    if (!data.sentences.length) out.push(el("p", {class: "muted", text: "Write one short idea a sentence."}));
    notes.replaceChildren(...out);
  }
})();
