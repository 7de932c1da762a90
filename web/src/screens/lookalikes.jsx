// Lookalikes (issue 15): creators like one creator (#/lookalikes/creator/<id>, GET
// /v1/creators/{id}/lookalikes) or like a brand's seeds (#/lookalikes/brand/<id>, POST
// /v1/brands/{id}/lookalikes: its accepted and shortlisted creators), most similar first,
// with the similarity and why; platform, country, follower and count filters; from a
// brand, "Shortlist" puts a result into its pipeline. "Find similar" links lead here from
// the creators list and page, the match results and the brands list.
import { useEffect, useState } from 'preact/hooks';
import { api, query } from '../api.js';
import { navigate } from '../router.js';
import { compact, count, percent, PLATFORMS } from '../format.js';
import { Empty, Loading, ProblemBox, fieldError } from '../components/states.jsx';
import { DataQuality } from '../components/data.jsx';

const NO_FILTERS = { platform: '', country: '', min_followers: '', max_followers: '', limit: '20' };
const SHOWN_SEEDS = 12;

export default function Lookalikes({ route, session }) {
  const [, kind, rawId] = route.parts;
  const id = rawId ? Number(rawId) : null;
  const [brands, setBrands] = useState(null);
  const [brandsError, setBrandsError] = useState(null);
  useEffect(() => {
    api('GET', '/v1/brands?limit=200').then((l) => setBrands(l.data), setBrandsError);
  }, []);
  const forBrand = kind === 'brand' && id;
  const forCreator = kind === 'creator' && id;
  const [seedCreator, setSeedCreator] = useState(null);
  useEffect(() => {
    setSeedCreator(null);
    if (forCreator) api('GET', `/v1/creators/${id}`).then(setSeedCreator, () => {});
  }, [kind, id]);
  const brand = forBrand && brands ? brands.find((b) => b.id === id) : null;
  return (
    <section aria-labelledby="lookalikes-h">
      <h1 id="lookalikes-h" tabIndex={-1}>
        {forCreator
          ? 'Creators similar to ' + (seedCreator ? seedCreator.display_name || '@' + seedCreator.handle : 'creator ' + id)
          : brand ? 'Creators like ' + brand.name + '’s picks' : 'Lookalikes'}
      </h1>
      <p class="muted">
        Similar content (categories, hashtags and bio words, the rarer the more telling), tier, engagement against the tier
        median, country and language. {forCreator ? '' : 'A brand’s seeds are its accepted and shortlisted creators.'}
      </p>
      <ProblemBox error={brandsError} title="Could not load the brands" />
      {brands && !forCreator && (
        <div class="toolbar">
          <label for="lookalike-brand">Like the picks of brand</label>
          <select id="lookalike-brand" value={forBrand ? String(id) : ''} onChange={(e) => navigate('lookalikes/brand/' + e.currentTarget.value)}>
            <option value="">Choose a brand…</option>
            {brands.map((b) => (
              <option key={b.id} value={b.id}>
                {b.name}
              </option>
            ))}
          </select>
        </div>
      )}
      {!forBrand && !forCreator && (
        <Empty>
          <p>Choose a brand above, or use “Find similar” on a creator (Creators screen, a creator’s page, a match result).</p>
        </Empty>
      )}
      {(forBrand || forCreator) && (
        <Similar key={kind + id} kind={kind} id={id} canWrite={session.key.role !== 'read'} />
      )}
    </section>
  );
}

function Similar({ kind, id, canWrite }) {
  const [filters, setFilters] = useState(NO_FILTERS);
  const [applied, setApplied] = useState(NO_FILTERS);
  const [reply, setReply] = useState(null);
  const [error, setError] = useState(null);
  const [seeds, setSeeds] = useState(null);
  const [notice, setNotice] = useState('');
  const [statuses, setStatuses] = useState({});

  useEffect(() => {
    let live = true;
    setError(null);
    setReply(null);
    const f = Object.fromEntries(Object.entries(applied).filter(([, v]) => v !== ''));
    for (const k of ['min_followers', 'max_followers', 'limit']) if (f[k] !== undefined) f[k] = Number(f[k]);
    const req =
      kind === 'creator'
        ? api('GET', `/v1/creators/${id}/lookalikes` + query(f))
        : api('POST', `/v1/brands/${id}/lookalikes`, { body: f });
    req.then(
      (r) => live && setReply(r),
      (e) => live && setError(e),
    );
    return () => (live = false);
  }, [kind, id, applied]);

  // The seeds by name (the first few; the reply gives their ids). They stay shown while
  // a new search runs, and go when it fails.
  const seedKey = reply ? reply.seed_creator_ids.join() : error ? '' : null;
  useEffect(() => {
    if (seedKey === null) return;
    if (!reply) return setSeeds(null);
    let live = true;
    const all = reply.seed_creator_ids;
    Promise.all(all.slice(0, SHOWN_SEEDS).map((s) => api('GET', `/v1/creators/${s}`).catch(() => ({ id: s }))))
      .then((cs) => live && setSeeds({ all, shown: cs }));
    return () => (live = false);
  }, [seedKey]);

  async function shortlist(c) {
    setError(null);
    try {
      await api('PUT', `/v1/brands/${id}/creators/${c.id}/status`, { body: { status: 'shortlisted' } });
      setStatuses({ ...statuses, [c.id]: 'shortlisted' });
      setNotice(`${c.display_name || '@' + c.handle} shortlisted.`);
      // The button is gone: keep keyboard focus on the row (on what replaced it).
      requestAnimationFrame(() => {
        const el = document.getElementById('set-' + c.id);
        if (el) el.focus();
      });
    } catch (e) {
      setError(e);
    }
  }

  const err = (k) => fieldError(error, k);
  const set = (k) => (e) => setFilters({ ...filters, [k]: e.currentTarget.value });
  const field = (k, label, props = {}) => (
    <div class={'field' + (err(k) ? ' invalid' : '')}>
      <label for={'l_' + k}>{label}</label>
      <input id={'l_' + k} value={filters[k]} onInput={set(k)} aria-invalid={err(k) ? 'true' : undefined} {...props} />
    </div>
  );
  const rows = reply ? reply.data : [];
  const noSeeds = error && err('seed_creator_ids');
  return (
    <div>
      {seeds && seeds.shown.length > 0 && (
        <p class="seeds">
          {kind === 'creator' ? 'Like ' : `Like ${count(seeds.all.length)} seed${seeds.all.length === 1 ? '' : 's'}: `}
          {seeds.shown.map((c, i) => (
            <span key={c.id}>
              {i > 0 ? ', ' : ''}
              <a href={`#/creators/${c.id}`}>{c.handle ? '@' + c.handle : 'creator ' + c.id}</a>
            </span>
          ))}
          {seeds.all.length > seeds.shown.length ? ` and ${count(seeds.all.length - seeds.shown.length)} more` : ''}
        </p>
      )}
      <form
        class="card filters"
        role="search"
        aria-label="Filter similar creators"
        onSubmit={(e) => {
          e.preventDefault();
          setApplied({ ...filters });
        }}
      >
        <div class="field">
          <label for="l_platform">Platform</label>
          <select id="l_platform" value={filters.platform} onChange={set('platform')}>
            <option value="">any</option>
            {PLATFORMS.map((p) => (
              <option key={p} value={p}>
                {p}
              </option>
            ))}
          </select>
        </div>
        {field('country', 'Country (ISO)', { maxLength: 2, size: 4 })}
        {field('min_followers', 'Followers from', { type: 'number', min: 0 })}
        {field('max_followers', 'Followers up to', { type: 'number', min: 0 })}
        {field('limit', 'How many', { type: 'number', min: 1, max: 200 })}
        <div class="form-actions">
          <button type="submit">Find</button>
          <button type="button" class="secondary" onClick={() => { setFilters(NO_FILTERS); setApplied(NO_FILTERS); }}>
            Clear
          </button>
        </div>
      </form>
      <p class="notice" role="status" aria-live="polite">
        {notice}
      </p>
      <ProblemBox error={error} title="Could not find similar creators" />
      {noSeeds && (
        <Empty>
          <p>
            This brand has no accepted or shortlisted creator to start from yet: shortlist some on its{' '}
            <a href={`#/matches/${id}`}>matches</a>, or use “Find similar” on one creator.
          </p>
        </Empty>
      )}
      {!reply && !error && <Loading what="Finding similar creators" />}
      {reply && rows.length === 0 && <Empty>No creator shares a category or hashtag with {kind === 'creator' ? 'this creator' : 'the seeds'} under these filters.</Empty>}
      {reply && rows.length > 0 && (
        <div class="table-wrap" role="region" aria-label="Similar creators" tabIndex={0}>
          <table class="data lookalikes">
            <caption>
              {count(rows.length)} similar creator{rows.length === 1 ? '' : 's'}, most similar first
            </caption>
            <thead>
              <tr>
                <th scope="col" class="num">Similarity</th>
                <th scope="col">Creator</th>
                <th scope="col">Tier</th>
                <th scope="col" class="num">ER</th>
                <th scope="col">Country</th>
                <th scope="col">Why</th>
                <th scope="col">Data</th>
                {kind === 'brand' && canWrite && <th scope="col">Pipeline</th>}
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => {
                const c = r.creator;
                const who = c.display_name || '@' + c.handle;
                return (
                  <tr key={c.id} data-creator-id={c.id}>
                    <td class="num similarity">{r.similarity.toFixed(2)}</td>
                    <td class="creator">
                      <a href={`#/creators/${c.id}`}>{who}</a>
                      <span class="muted handle">
                        @{c.handle} · {c.platform} · {compact(c.followers)}
                      </span>
                    </td>
                    <td>{c.tier}</td>
                    <td class="num">{percent(c.engagement_rate)}</td>
                    <td>{c.country || '—'}</td>
                    <td class="reasons">
                      <ul>
                        {(r.explanations || []).map((x) => (
                          <li key={x.code}>{x.text}</li>
                        ))}
                      </ul>
                    </td>
                    <td>
                      <DataQuality creator={c} brief />
                    </td>
                    {kind === 'brand' && canWrite && (
                      <td>
                        {statuses[c.id] ? (
                          <span class="status-set" id={'set-' + c.id} tabIndex={-1}>
                            {statuses[c.id]}
                          </span>
                        ) : (
                          <button type="button" class="secondary" aria-label={'Shortlist ' + who} onClick={() => shortlist(c)}>
                            Shortlist
                          </button>
                        )}
                      </td>
                    )}
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
