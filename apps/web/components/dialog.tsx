'use client';
import { useEffect, useId, useRef, type FormEvent, type ReactNode } from 'react';

/**
 * A modal confirmation (the browser's own `<dialog>`: focus moves in and is trapped,
 * Escape cancels, focus returns to the opener). Every destructive or disruptive
 * action in the console goes through one.
 */
export function Dialog({ open, title, children, confirm, danger, busy, onConfirm, onClose, confirmDisabled }: {
  open: boolean;
  title: string;
  children: ReactNode;
  /** The confirming button's label: says what happens ("Scale to 3 instances"). */
  confirm: string;
  danger?: boolean;
  busy?: boolean;
  confirmDisabled?: boolean;
  onConfirm: () => void;
  onClose: () => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!busy && !confirmDisabled) onConfirm();
  };
  return (
    <dialog ref={ref} className="dialog" aria-labelledby={titleId} onClose={onClose} onCancel={onClose}>
      <form method="dialog" onSubmit={submit}>
        <h2 id={titleId}>{title}</h2>
        <div className="dialog-body">{children}</div>
        <div className="dialog-actions">
          <button type="button" onClick={onClose}>Cancel</button>
          <button type="submit" className={danger ? 'danger' : 'primary'} disabled={busy || confirmDisabled} aria-busy={busy || undefined}>
            {busy ? 'Working…' : confirm}
          </button>
        </div>
      </form>
    </dialog>
  );
}
