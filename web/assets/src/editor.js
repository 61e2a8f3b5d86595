// GLUE editor: turns <textarea data-glue-editor> into a CodeMirror 6 editor
// whose language follows data-glue-type, keeps the textarea in sync so the
// form posts normally (with or without htmx), and lets the version list load
// an older version into the editor.
import { EditorView, basicSetup } from "codemirror";
import { EditorState } from "@codemirror/state";
import { StreamLanguage } from "@codemirror/language";
import { shell } from "@codemirror/legacy-modes/mode/shell";
import { groovy } from "@codemirror/legacy-modes/mode/groovy";
import { powerShell } from "@codemirror/legacy-modes/mode/powershell";
import { python } from "@codemirror/lang-python";
import { javascript } from "@codemirror/lang-javascript";
import { php } from "@codemirror/lang-php";
import { java } from "@codemirror/lang-java";

function languageFor(glueType) {
  switch (glueType) {
    case "GLUE_GROOVY":
      return StreamLanguage.define(groovy);
    case "GLUE_SHELL":
      return StreamLanguage.define(shell);
    case "GLUE_PYTHON":
    case "GLUE_PYTHON2":
      return python();
    case "GLUE_NODEJS":
      return javascript();
    case "GLUE_POWERSHELL":
      return StreamLanguage.define(powerShell);
    case "GLUE_PHP":
      return php({ plain: false });
    case "JAVA":
      return java();
  }
  return [];
}

function mount(textarea) {
  if (textarea.dataset.mounted) return;
  textarea.dataset.mounted = "1";
  const view = new EditorView({
    state: EditorState.create({
      doc: textarea.value,
      extensions: [
        basicSetup,
        languageFor(textarea.dataset.glueType),
        EditorView.lineWrapping,
        EditorView.updateListener.of((u) => {
          if (u.docChanged) textarea.value = u.state.doc.toString();
        }),
      ],
    }),
  });
  view.dom.classList.add("cm-glue");
  view.dom.setAttribute("data-testid", "glue-codemirror");
  textarea.after(view.dom);
  textarea.hidden = true;
  textarea.form?.addEventListener("submit", () => {
    textarea.value = view.state.doc.toString();
  });

  // "Load" buttons of the version list put an old version into the editor.
  document.querySelectorAll("[data-load-version]").forEach((btn) => {
    btn.addEventListener("click", (ev) => {
      ev.preventDefault();
      const src = document.getElementById(btn.dataset.loadVersion);
      if (!src) return;
      const text = src.value !== undefined ? src.value : src.textContent;
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
      const remark = document.querySelector("[data-glue-remark]");
      if (remark && btn.dataset.remark) remark.value = btn.dataset.remark;
      view.focus();
    });
  });
  window.xjobGlueEditor = view;
}

function init() {
  document.querySelectorAll("textarea[data-glue-editor]").forEach(mount);
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", init);
} else {
  init();
}
