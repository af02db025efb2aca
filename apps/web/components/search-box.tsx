'use client';
import { useEffect, useState } from 'react';

/**
 * A search field whose typing stays local: the page (and its table) re-renders only
 * when the search is committed, 200 ms after the last keystroke, into the URL.
 */
export function SearchBox({ value, onCommit, label, placeholder }: { value: string; onCommit: (value: string) => void; label: string; placeholder: string }) {
  const [text, setText] = useState(value);
  const [committed, setCommitted] = useState(value);
  // The URL changed elsewhere (back, a cleared filter): show what it says.
  if (value !== committed) {
    setCommitted(value);
    setText(value);
  }
  useEffect(() => {
    if (text === committed) return;
    const timer = setTimeout(() => {
      setCommitted(text);
      onCommit(text);
    }, 200);
    return () => clearTimeout(timer);
  }, [text, committed, onCommit]);
  return (
    <label className="field grow">
      <span>Search</span>
      <input type="search" value={text} onChange={(e) => setText(e.target.value)} placeholder={placeholder} aria-label={label} />
    </label>
  );
}
