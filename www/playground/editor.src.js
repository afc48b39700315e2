// The playground's code editor: CodeMirror 6 from npm, bundled by .ci/build-wasm (esbuild) into
// www/playground/codemirror.js, which the playground imports. No CDN, nothing fetched.
//
// Tab is left to the browser, so a keyboard user can leave the editor with it (CodeMirror's own
// advice); indentation is by the Enter key's auto-indent and by spaces.

import { EditorView, keymap, lineNumbers, highlightActiveLine, highlightActiveLineGutter, drawSelection } from '@codemirror/view';
import { EditorState, EditorSelection } from '@codemirror/state';
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import { syntaxHighlighting, defaultHighlightStyle, StreamLanguage, bracketMatching, indentOnInput } from '@codemirror/language';
import { json } from '@codemirror/lang-json';
import { lintGutter, setDiagnostics } from '@codemirror/lint';

/** Rhai as rules use it: comments, strings, numbers, keywords, UPPER_CASE parameters. */
const rhai = StreamLanguage.define({
  name: 'rhai',
  startState: () => ({ inComment: false }),
  token(stream, state) {
    if (state.inComment) {
      if (stream.skipTo('*/')) {
        stream.pos += 2;
        state.inComment = false;
      } else {
        stream.skipToEnd();
      }
      return 'comment';
    }
    if (stream.eatSpace()) return null;
    if (stream.match('//')) { stream.skipToEnd(); return 'comment'; }
    if (stream.match('/*')) { state.inComment = true; return 'comment'; }
    if (stream.match(/^"(?:[^"\\]|\\.)*"?/)) return 'string';
    if (stream.match(/^\d[\d_]*(?:\.\d[\d_]*)?/)) return 'number';
    if (stream.match(/^(?:const|let|if|else|for|in|while|loop|break|continue|return|switch|fn|true|false)\b/)) return 'keyword';
    if (stream.match(/^[A-Z][A-Z0-9_]*\b/)) return 'atom';
    if (stream.match(/^[A-Za-z_][A-Za-z0-9_]*(?=\s*\()/)) return 'variableName.function';
    if (stream.match(/^[A-Za-z_][A-Za-z0-9_]*/)) return 'variableName';
    if (stream.match(/^(?:[=!<>]=|&&|\|\||[-+*/%<>!=])/)) return 'operator';
    stream.next();
    return null;
  },
  languageData: { commentTokens: { line: '//' } },
});

function language(path) {
  return path.endsWith('.json') ? json() : rhai;
}

/**
 * An editor in `parent`. `onChange(text)` follows every edit. Each file keeps its own state
 * (text, selection, undo history) while another is open.
 */
export function createEditor(parent, { label, onChange }) {
  const states = new Map();
  let current = null;
  const extensions = (path) => [
    lineNumbers(), highlightActiveLineGutter(), history(), drawSelection(), indentOnInput(),
    bracketMatching(), highlightActiveLine(), syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
    lintGutter(), language(path), keymap.of([...defaultKeymap, ...historyKeymap]),
    // Long lines wrap and the editor grows with its text: no region that scrolls on its own,
    // which a keyboard could not reach.
    EditorView.lineWrapping,
    EditorView.contentAttributes.of({ 'aria-label': `${label}: ${path}` }),
    EditorView.updateListener.of((u) => { if (u.docChanged) onChange?.(u.state.doc.toString()); }),
  ];
  const view = new EditorView({ parent, state: EditorState.create({ doc: '', extensions: extensions('') }) });
  return {
    view,
    /** Shows `path`: its own state if it was open before, else `text`. */
    open(path, text) {
      if (current !== null) states.set(current, view.state);
      current = path;
      view.setState(states.get(path) ?? EditorState.create({ doc: text, extensions: extensions(path) }));
    },
    /** Forgets every file's state (another version was chosen). */
    reset() {
      states.clear();
      current = null;
    },
    text() {
      return view.state.doc.toString();
    },
    /** Marks problems: `[{line, column, message}]`, 1-based, in the open file. */
    problems(list) {
      const doc = view.state.doc;
      const diagnostics = list.map((p) => {
        const line = doc.line(Math.min(Math.max(p.line ?? 1, 1), doc.lines));
        const from = Math.min(line.from + Math.max((p.column ?? 1) - 1, 0), line.to);
        const word = /^[A-Za-z0-9_"]+/.exec(doc.sliceString(from, line.to));
        const to = word ? from + word[0].length : Math.min(from + 1, line.to);
        return { from, to: Math.max(to, from), severity: 'error', message: p.message + (p.help ? ` (${p.help})` : '') };
      });
      view.dispatch(setDiagnostics(view.state, diagnostics));
    },
    /** Moves the cursor to a 1-based line and column and focuses the editor. */
    goTo(lineNo, column = 1) {
      const doc = view.state.doc;
      const line = doc.line(Math.min(Math.max(lineNo, 1), doc.lines));
      const at = Math.min(line.from + column - 1, line.to);
      view.dispatch({ selection: EditorSelection.cursor(at), scrollIntoView: true });
      view.focus();
    },
  };
}
