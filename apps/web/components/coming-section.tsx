/** The empty state of a section whose capability has not landed yet: say so plainly. */
export function ComingSection({ title, what }: { title: string; what: string }) {
  return (
    <section aria-labelledby="section-title">
      <h1 id="section-title">{title}</h1>
      <div className="empty" role="status">
        <p>{what}</p>
        <p className="muted">This section is not available in this version of Gantry yet.</p>
      </div>
    </section>
  );
}
