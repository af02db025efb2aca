/** "what is held of what there is", as a bar with its words (the bar is decoration; the text carries it). */
export function UsageBar({ used, total, label, format }: { used: number; total: number; label: string; format: (n: number) => string }) {
  const share = total > 0 ? Math.min(1, used / total) : 0;
  const tone = share > 0.9 ? 'bad' : share > 0.7 ? 'warn' : 'ok';
  return (
    <span className="usage" title={`${label}: ${format(used)} of ${format(total)} allocated`}>
      <span className="usage-text">{format(used)} / {format(total)}</span>
      <span className="usage-bar" aria-hidden="true"><span className={`usage-fill ${tone}`} style={{ width: `${share * 100}%` }} /></span>
    </span>
  );
}
