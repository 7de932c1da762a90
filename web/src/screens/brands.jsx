// Brands: the list (with the latest run and pipeline counts of each) and the create/edit
// form (#/brands/new, #/brands/<id>/edit).
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.js';
import { navigate } from '../router.js';
import { count, date, STATUSES } from '../format.js';
import { Empty, Loading, ProblemBox } from '../components/states.jsx';
import BrandForm from './brand-form.jsx';

export default function Brands({ route, session }) {
  const [, sub, action] = route.parts;
  if (sub === 'new') return <BrandForm session={session} />;
  if (sub && action === 'edit') return <BrandForm session={session} id={Number(sub)} />;
  return <BrandList session={session} />;
}

function BrandList({ session }) {
  const [rows, setRows] = useState(null);
  const [error, setError] = useState(null);
  const canWrite = session.key.role !== 'read';

  useEffect(() => {
    let live = true;
    (async () => {
      try {
        const list = await api('GET', '/v1/brands?limit=200');
        const withPipeline = await Promise.all(
          list.data.map(async (b) => {
            try {
              return { brand: b, pipeline: await api('GET', `/v1/brands/${b.id}/pipeline`) };
            } catch (e) {
              return { brand: b, pipeline: null };
            }
          }),
        );
        if (live) setRows(withPipeline);
      } catch (e) {
        if (live) setError(e);
      }
    })();
    return () => (live = false);
  }, []);

  return (
    <section aria-labelledby="brands-h">
      <div class="title-row">
        <h1 id="brands-h" tabIndex={-1}>Brands</h1>
        {canWrite && !session.key.brand_id && (
          <button type="button" onClick={() => navigate('brands/new')}>
            New brand
          </button>
        )}
      </div>
      <ProblemBox error={error} title="Could not load the brands" />
      {!rows && !error && <Loading what="Loading brands" />}
      {rows && rows.length === 0 && (
        <Empty>
          <p>No brands yet.</p>
          {canWrite && <p>Create one with “New brand”, then run matches for it.</p>}
        </Empty>
      )}
      {rows && rows.length > 0 && (
        <div class="table-wrap" role="region" aria-label="Brands table" tabIndex={0}>
          <table class="data">
            <thead>
              <tr>
                <th scope="col">Brand</th>
                <th scope="col">Niches</th>
                <th scope="col">Goal</th>
                <th scope="col">Last run</th>
                {STATUSES.map((s) => (
                  <th scope="col" key={s} class="num">
                    {s}
                  </th>
                ))}
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {rows.map(({ brand, pipeline }) => (
                <tr key={brand.id}>
                  <th scope="row">
                    {brand.name}
                    {brand.alerts && (
                      <span class="badge info alerts-badge" title="match.new_candidate webhook events for new creators in the top N">
                        alerts: top {brand.alerts.top_n}
                      </span>
                    )}
                  </th>
                  <td>{brand.niches.join(', ')}</td>
                  <td>{brand.goal}</td>
                  <td>
                    {pipeline && pipeline.latest_run ? (
                      <span>
                        {date(pipeline.latest_run.created_at)}
                        <span class="muted"> · {count(pipeline.latest_run.stored)} results</span>
                      </span>
                    ) : (
                      <span class="muted">never</span>
                    )}
                  </td>
                  {STATUSES.map((s) => (
                    <td key={s} class="num">
                      {pipeline ? count(pipeline.counts[s]) : '—'}
                    </td>
                  ))}
                  <td class="actions">
                    <a href={`#/matches/${brand.id}`}>Matches</a>
                    <a href={`#/lookalikes/brand/${brand.id}`} aria-label={'Find similar to the picks of ' + brand.name}>
                      Find similar
                    </a>
                    {canWrite && <a href={`#/brands/${brand.id}/edit`}>Edit</a>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
