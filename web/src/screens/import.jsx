// Import: a file by the file input or drag and drop, sent as is (with the Content-Type its
// format needs) to an import created first (POST /v1/imports, then PUT .../body), the
// upload's progress and the server's (rows and bytes read) shown, then the import report
// with the rejected lines.
import { useState } from 'preact/hooks';
import { api, upload } from '../api.js';
import { count, PLATFORMS } from '../format.js';
import { ProblemBox } from '../components/states.jsx';
import { forgetStats } from '../components/data-health.jsx';

const TYPES = [
  [/\.csv$/i, 'text/csv'],
  [/\.(tsv|tab)$/i, 'text/tab-separated-values'],
  [/\.(ndjson|jsonl)$/i, 'application/x-ndjson'],
  [/\.json$/i, 'application/json'],
];
const ALLOWED = new Set(TYPES.map((t) => t[1]));

// The Content-Type for a file: by its name, else by what the browser says, else null.
export function contentTypeFor(file) {
  for (const [re, ct] of TYPES) if (re.test(file.name)) return ct;
  const t = (file.type || '').toLowerCase();
  if (t === 'application/vnd.ms-excel') return 'text/csv'; // how Windows labels .csv
  return ALLOWED.has(t) ? t : null;
}

export default function Import({ session }) {
  const [file, setFile] = useState(null);
  const [platform, setPlatform] = useState('');
  const [onError, setOnError] = useState('skip');
  const [progress, setProgress] = useState(null);
  const [server, setServer] = useState(null); // the import as the server sees it while uploading
  const [report, setReport] = useState(null);
  const [error, setError] = useState(null);
  const [over, setOver] = useState(false);
  const allowed = session.key.role !== 'read' && !session.key.brand_id;

  function choose(f) {
    setReport(null);
    setError(null);
    setFile(f || null);
  }

  async function send(e) {
    e.preventDefault();
    if (!file) return;
    const ct = contentTypeFor(file);
    if (!ct) {
      setError({ problem: { title: 'Unsupported file', detail: `${file.name}: use a .csv, .tsv, .ndjson/.jsonl or .json file.` } });
      return;
    }
    setError(null);
    setReport(null);
    setProgress(0);
    const q = new URLSearchParams({ on_error: onError });
    if (platform) q.set('platform', platform);
    // The id first (POST /v1/imports), then the body (PUT .../body) with the upload's own
    // progress, while GET /v1/imports/{id} shows what the server has read (rows, bytes).
    let poll = null;
    try {
      const created = await api('POST', '/v1/imports?' + q);
      setServer(created);
      poll = setInterval(() => {
        api('GET', `/v1/imports/${created.id}`).then(
          (s) => setServer((old) => (old && old.id === s.id ? s : old)),
          () => {},
        );
      }, 1000);
      const r = await upload(`/v1/imports/${created.id}/body`, file, ct, (loaded, total) => setProgress(total ? loaded / total : 0), 'PUT');
      setReport(r);
      forgetStats(); // the pool changed: the data health counts it again
    } catch (err) {
      setError(err);
    } finally {
      clearInterval(poll);
      setServer(null);
      setProgress(null);
    }
  }

  return (
    <section aria-labelledby="import-h">
      <h1 id="import-h" tabIndex={-1}>Import creators</h1>
      {!allowed && <p class="problem">Importing needs a write key that is not bound to a brand.</p>}
      <form class="card" onSubmit={send}>
        <div
          class={'dropzone' + (over ? ' over' : '')}
          onDragOver={(e) => {
            e.preventDefault();
            setOver(true);
          }}
          onDragLeave={() => setOver(false)}
          onDrop={(e) => {
            e.preventDefault();
            setOver(false);
            choose(e.dataTransfer.files[0]);
          }}
        >
          <label for="import-file">Drop a CSV, TSV, NDJSON or JSON export here, or choose a file</label>
          <input id="import-file" type="file" accept=".csv,.tsv,.tab,.ndjson,.jsonl,.json,text/csv" onChange={(e) => choose(e.currentTarget.files[0])} />
          {file && (
            <p class="muted">
              {file.name} · {count(file.size)} bytes
            </p>
          )}
        </div>
        <div class="row">
          <div class="field">
            <label for="import-platform">Platform of rows that name none</label>
            <select id="import-platform" value={platform} onChange={(e) => setPlatform(e.currentTarget.value)}>
              <option value="">(from the file)</option>
              {PLATFORMS.map((p) => (
                <option key={p} value={p}>
                  {p}
                </option>
              ))}
            </select>
          </div>
          <div class="field">
            <label for="import-on-error">Invalid rows</label>
            <select id="import-on-error" value={onError} onChange={(e) => setOnError(e.currentTarget.value)}>
              <option value="skip">skip them, import the rest</option>
              <option value="abort">import nothing</option>
            </select>
          </div>
        </div>
        <button type="submit" disabled={!file || progress !== null || !allowed}>
          Import
        </button>
        {progress !== null && (
          <div class="progress">
            <label for="import-progress">Uploading</label>
            <progress id="import-progress" max="1" value={progress} />
            <span>{Math.round(progress * 100)}%</span>
            {server && (
              <span class="muted" role="status" aria-live="polite">
                Import {server.id} on the server: {server.status}, {count(server.received || 0)} rows read ({count(server.bytes || 0)} bytes)
              </span>
            )}
          </div>
        )}
      </form>
      <ProblemBox error={error} title="The import failed" />
      {report && <Report r={report} />}
    </section>
  );
}

function Report({ r }) {
  return (
    <div class="card report" role="status" aria-live="polite">
      <h2>
        Import {r.id}: {r.status}
      </h2>
      <dl class="facts">
        <dt>Rows received</dt>
        <dd>{count(r.received)}</dd>
        <dt>New creators</dt>
        <dd>{count(r.inserted)}</dd>
        <dt>Updated</dt>
        <dd>{count(r.updated)}</dd>
        <dt>Rejected</dt>
        <dd>{count(r.rejected)}</dd>
      </dl>
      {r.ignored_columns && r.ignored_columns.length > 0 && (
        <p>
          Ignored columns: {r.ignored_columns.join(', ')}
          {r.ignored_columns_truncated ? ' …' : ''}
        </p>
      )}
      {r.errors && r.errors.length > 0 && (
        <div class="table-wrap" role="region" aria-label="Rejected lines" tabIndex={0}>
          <table class="data">
            <caption>Rejected lines{r.rejected > r.errors.length ? ` (first ${r.errors.length})` : ''}</caption>
            <thead>
              <tr>
                <th scope="col" class="num">Line</th>
                <th scope="col">Field</th>
                <th scope="col">Problem</th>
              </tr>
            </thead>
            <tbody>
              {r.errors.map((e, i) => (
                <tr key={i}>
                  <td class="num">{e.line}</td>
                  <td>
                    <code>{e.field}</code>
                  </td>
                  <td>{e.message}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
