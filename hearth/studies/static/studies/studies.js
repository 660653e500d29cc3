// Coding in the browser: turn a selection in the transcript into character offsets into the
// source's plain text, and apply codes to it without reloading the page.
//
// Every piece of transcript text is a <span data-o="N"> whose only child is a text node
// holding exactly text[N:N + length]. Offsets count Unicode code points, as Python does.
(function () {
  "use strict";
  const transcript = document.getElementById("transcript");
  const form = document.getElementById("apply-form");

  function codePoints(text) {
    let n = 0;
    for (const _ of text) n += 1;
    return n;
  }

  function elementOf(node) {
    return node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement;
  }

  // The offset into the plain text of a selection boundary (node, offset).
  function offsetAt(node, offset, isEnd) {
    const element = elementOf(node);
    if (!element || !transcript.contains(element) && element !== transcript) return null;
    const piece = element.closest("[data-o]");
    if (piece) {
      const base = Number(piece.dataset.o);
      if (node.nodeType === Node.TEXT_NODE) return base + codePoints(node.data.slice(0, offset));
      return base + (offset > 0 ? codePoints(piece.textContent) : 0);
    }
    let block = element.closest("[data-start]");
    if (!block && element === transcript) {
      // Between blocks: the boundary is a child index of the transcript itself.
      const children = transcript.children;
      if (isEnd) {
        const before = children[Math.min(offset, children.length) - 1];
        return before ? Number(before.dataset.end) : null;
      }
      block = children[offset] || null;
    }
    if (!block) return null;
    if (!isEnd) return Number(block.dataset.start);
    // An end inside a speaker label belongs to the turn before.
    const words = block.querySelector(".words");
    if (words && words.contains(element)) return Number(block.dataset.end);
    const previous = block.previousElementSibling;
    return previous && previous.dataset.end ? Number(previous.dataset.end) : Number(block.dataset.start);
  }

  function swapIn(html) {
    const template = document.createElement("template");
    template.innerHTML = html;
    for (const fresh of Array.from(template.content.children)) {
      const old = fresh.id && document.getElementById(fresh.id);
      if (old) old.replaceWith(fresh);
    }
  }

  function csrf(formElement) {
    const field = formElement.querySelector("[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  async function post(formElement) {
    const response = await fetch(formElement.action, {
      method: "POST",
      body: new FormData(formElement),
      headers: { "HX-Request": "true", "X-CSRFToken": csrf(formElement) },
      credentials: "same-origin",
    });
    const body = await response.text();
    if (!response.ok) throw new Error(body || "Something went wrong; nothing was saved.");
    swapIn(body);
  }

  document.addEventListener("submit", function (event) {
    const target = event.target;
    if (target.dataset && target.dataset.confirm && !window.confirm(target.dataset.confirm)) {
      event.preventDefault();
    }
  });

  if (!transcript) return;

  document.addEventListener("click", function (event) {
    const jump = event.target.closest("[data-jump]");
    if (!jump) return;
    event.preventDefault();
    const at = Number(jump.dataset.jump);
    let found = null;
    for (const piece of transcript.querySelectorAll("[data-o]")) {
      if (Number(piece.dataset.o) <= at) found = piece;
      else break;
    }
    if (found) {
      found.scrollIntoView({ block: "center" });
      found.classList.add("flash");
      window.setTimeout(() => found.classList.remove("flash"), 1600);
    }
  });

  if (!form) return;
  const startField = form.querySelector("[name=start]");
  const endField = form.querySelector("[name=end]");
  const readout = document.getElementById("selection");
  const status = document.getElementById("apply-status");
  const button = document.getElementById("apply-button");
  const hint = readout.textContent;
  let chosen = null;

  function refresh() {
    const anyCode = form.querySelector("input[name=codes]:checked") !== null;
    button.disabled = !(chosen && anyCode);
  }

  function readSelection() {
    const selection = window.getSelection();
    if (!selection || selection.rangeCount === 0 || selection.isCollapsed) return;
    const range = selection.getRangeAt(0);
    if (!transcript.contains(range.commonAncestorContainer) && range.commonAncestorContainer !== transcript) return;
    const start = offsetAt(range.startContainer, range.startOffset, false);
    const end = offsetAt(range.endContainer, range.endOffset, true);
    if (start === null || end === null || end <= start) return;
    chosen = { start: start, end: end };
    startField.value = String(start);
    endField.value = String(end);
    const words = selection.toString().replace(/\s+/g, " ").trim();
    const shown = words.length > 160 ? words.slice(0, 157) + "…" : words;
    readout.textContent = "Selected: “" + shown + "” (characters " + start + "–" + end + ")";
    status.textContent = "";
    refresh();
  }

  let pending = 0;
  document.addEventListener("selectionchange", function () {
    window.clearTimeout(pending);
    pending = window.setTimeout(readSelection, 60);
  });
  transcript.addEventListener("mouseup", readSelection);
  transcript.addEventListener("keyup", readSelection);
  form.addEventListener("change", refresh);

  transcript.addEventListener("click", function (event) {
    const speaker = event.target.closest("[data-select-block]");
    if (!speaker) return;
    const words = speaker.closest(".block").querySelector(".words");
    const range = document.createRange();
    range.selectNodeContents(words);
    const selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    readSelection();
  });

  form.addEventListener("submit", async function (event) {
    event.preventDefault();
    if (!chosen) {
      status.textContent = "Select some words first.";
      return;
    }
    const names = Array.from(form.querySelectorAll("input[name=codes]:checked")).map(
      (box) => box.parentElement.textContent.trim()
    );
    button.disabled = true;
    try {
      await post(form);
      status.textContent = "Applied " + names.join(", ") + " to characters " + chosen.start + "–" + chosen.end + ".";
      for (const box of form.querySelectorAll("input[name=codes]:checked")) box.checked = false;
      window.getSelection().removeAllRanges();
      chosen = null;
      readout.textContent = hint;
    } catch (error) {
      status.textContent = error.message;
    }
    refresh();
  });

  document.addEventListener("submit", async function (event) {
    const target = event.target;
    if (!target.classList || !target.classList.contains("js-update")) return;
    event.preventDefault();
    try {
      await post(target);
      status.textContent = "Removed.";
    } catch (error) {
      status.textContent = error.message;
    }
  });

  refresh();
})();
