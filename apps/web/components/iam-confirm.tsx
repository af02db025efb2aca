'use client';
import { useState } from 'react';

/**
 * A destructive action in two steps: the button, then "Confirm" / "Cancel" in its
 * place. `label` and `confirmLabel` are what assistive technology reads ("Revoke read
 * on gantry:node for carol", "Confirm revoking …"); the API's refusal, if any, shows
 * where the button was.
 */
export function ConfirmButton({ text, label, confirmLabel, onConfirm, pending, error }: {
  text: string;
  label: string;
  confirmLabel: string;
  onConfirm: () => void;
  pending?: boolean;
  error?: string | null;
}) {
  const [confirming, setConfirming] = useState(false);
  if (error) return <span role="alert" className="field-error">{error}</span>;
  return confirming ? (
    <span className="confirm">
      <button type="button" onClick={onConfirm} disabled={pending} aria-label={confirmLabel}>Confirm {text.toLowerCase()}</button>
      <button type="button" onClick={() => setConfirming(false)}>Cancel</button>
    </span>
  ) : (
    <button type="button" onClick={() => setConfirming(true)} aria-label={label}>{text}</button>
  );
}
