// Loading, empty and error states, and the problem box every screen uses.
export function Loading({ what = 'Loading' }) {
  return (
    <p class="state" role="status" aria-live="polite">
      {what}…
    </p>
  );
}

export function Empty({ children }) {
  return <div class="state empty">{children}</div>;
}

// error: an ApiError (or any Error). Shows detail and each errors[] entry with its field.
export function ProblemBox({ error, title = 'Something went wrong' }) {
  if (!error) return null;
  const p = error.problem || {};
  const errs = Array.isArray(p.errors) ? p.errors : [];
  return (
    <div class="problem" role="alert">
      <p class="problem-title">
        <strong>{p.title || title}</strong>
        {error.status ? <span class="muted"> ({error.status})</span> : null}
      </p>
      <p class="problem-detail">{p.detail || error.message}</p>
      {errs.length > 0 && (
        <ul class="problem-errors">
          {errs.slice(0, 20).map((e, i) => (
            <li key={i}>
              {e.line ? <span>line {e.line}: </span> : null}
              {e.field ? <code>{e.field}</code> : null}
              {e.field ? ': ' : ''}
              {e.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

// The message for one field from an ApiError, or null.
export function fieldError(error, field) {
  if (!error || !error.problem || !Array.isArray(error.problem.errors)) return null;
  const e = error.problem.errors.find((x) => x.field === field || (x.field || '').startsWith(field + '['));
  return e ? e.message : null;
}
