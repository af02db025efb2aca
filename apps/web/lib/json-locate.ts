/**
 * Where each JSON path of a document starts in its text, so an error at
 * `/healthChecks/0/path` can point at its line in the JSON editor. A small recursive
 * reader over valid JSON (JSON.parse has already accepted the text); paths use the
 * API's spelling (`/a/0/b`), and a member points at its key.
 */
export function locatePaths(text: string): Map<string, number> {
  const at = new Map<string, number>();
  let i = 0;
  const ws = () => {
    while (i < text.length && /\s/.test(text[i]!)) i++;
  };
  const string = (): string => {
    const start = i;
    i++; // opening quote
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const value = (path: string, keyAt?: number) => {
    ws();
    if (!at.has(path)) at.set(path || '/', keyAt ?? i);
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') return void i++;
      for (;;) {
        ws();
        const start = i;
        const key = string();
        ws();
        i++; // colon
        value(`${path}/${key}`, start);
        ws();
        if (text[i++] === '}') return;
      }
    }
    if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') return void i++;
      for (let n = 0; ; n++) {
        value(`${path}/${n}`);
        ws();
        if (text[i++] === ']') return;
      }
    }
    if (c === '"') return void string();
    while (i < text.length && !/[\s,\]}]/.test(text[i]!)) i++;
  };
  try {
    value('');
  } catch {
    // Unreadable text: no positions (the caller shows the parse error instead).
  }
  return at;
}

/** 1-based line of an offset. */
export function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text[i] === '\n') line++;
  return line;
}

/** The line of `path`, or of its nearest ancestor that exists in the text. */
export function lineOfPath(text: string, positions: Map<string, number>, path: string): number | undefined {
  for (let p = path; ; p = p.slice(0, p.lastIndexOf('/'))) {
    const offset = positions.get(p || '/');
    if (offset !== undefined) return lineOf(text, offset);
    if (!p) return undefined;
  }
}

/** Where JSON.parse stopped, as "line L, column C", from its message (V8 names the position). */
export function parseErrorLine(text: string, error: unknown): number | undefined {
  const m = /position (\d+)/.exec(String((error as Error)?.message ?? ''));
  return m ? lineOf(text, Number(m[1])) : undefined;
}
