'use client';
import { useId, type ReactNode } from 'react';
import styles from './iam.module.css';

/**
 * One labelled control of an Organization or Settings form. The label names the
 * control and nothing else (a hint and an error are described by, not inside it), so
 * a select's options never become part of its name.
 */
export function Field({ label, hint, error, wide, children }: {
  label: string;
  hint?: string | undefined;
  error?: string | undefined;
  wide?: boolean;
  children: (control: { id: string; 'aria-describedby'?: string; 'aria-invalid': boolean }) => ReactNode;
}) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [hint ? hintId : null, error ? errorId : null].filter(Boolean).join(' ');
  return (
    <span className={wide ? `${styles.field} ${styles.wide}` : styles.field}>
      <label htmlFor={id}>{label}</label>
      {children({ id, ...(describedBy ? { 'aria-describedby': describedBy } : {}), 'aria-invalid': !!error })}
      {hint && <span id={hintId} className={styles.hint}>{hint}</span>}
      {error && <span id={errorId} className="field-error">{error}</span>}
    </span>
  );
}
