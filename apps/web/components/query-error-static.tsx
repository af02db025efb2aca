/** A failed read on the server side of a page: said plainly, with a way to try again. */
export function QueryErrorStatic({ message }: { message: string }) {
  return (
    <div className="banner" role="alert">
      <div>
        <strong>Could not load this</strong>
        <div>{message}</div>
      </div>
      <a href="">Reload</a>
    </div>
  );
}
