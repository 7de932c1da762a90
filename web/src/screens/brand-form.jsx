// Create or edit a brand. Lists are typed as comma-separated terms; the niches, keywords
// and countries offer the pool's most frequent categories and countries (the creator
// facets) as one-click suggestions; a 422 marks each field it names.
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.js';
import { navigate } from '../router.js';
import { PLATFORMS, TIERS, count } from '../format.js';
import { Loading, ProblemBox, fieldError } from '../components/states.jsx';

const LISTS = ['niches', 'keywords', 'target_countries', 'target_languages', 'exclude_keywords', 'exclude_handles'];

function toForm(b) {
  return {
    name: b.name || '',
    industry: b.industry || '',
    niches: (b.niches || []).join(', '),
    keywords: (b.keywords || []).join(', '),
    target_countries: (b.target_countries || []).join(', '),
    target_languages: (b.target_languages || []).join(', '),
    platforms: b.platforms || [],
    goal: b.goal || 'engagement',
    target_gender: b.target_gender || 'any',
    follower_min: b.follower_min ?? '',
    follower_max: b.follower_max ?? '',
    min_engagement_rate: b.min_engagement_rate == null ? '' : String(+(b.min_engagement_rate * 100).toFixed(4)),
    budget: b.budget_per_post_cents == null ? '' : String(b.budget_per_post_cents / 100),
    target_countries_mode: b.target_countries_mode || 'prefer',
    exclude_keywords: (b.exclude_keywords || []).join(', '),
    exclude_handles: (b.exclude_handles || []).join(', '),
    max_data_age_days: b.max_data_age_days ?? '',
    min_confidence: b.min_confidence || '',
    // Match alerts (issue 15): a server without them has no `alerts` member in its replies,
    // and the form then leaves the field out of a patch (it would be an unknown field).
    alerts_known: b.alerts !== undefined,
    alerts_on: !!b.alerts,
    alerts_top_n: b.alerts && b.alerts.top_n != null ? String(b.alerts.top_n) : '20',
    price_overrides: Object.fromEntries(TIERS.map((t) => [t, b.price_overrides && b.price_overrides[t] != null ? String(b.price_overrides[t] / 100) : ''])),
  };
}

function split(s) {
  return s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
}

// The request body: every field, unset ones as null (a merge patch then clears them).
function toBody(f, creating) {
  const num = (v) => (v === '' || v === null ? null : Number(v));
  const body = {
    name: f.name.trim(),
    industry: f.industry.trim() || null,
    platforms: f.platforms.length ? f.platforms : null,
    goal: f.goal,
    target_gender: f.target_gender,
    follower_min: num(f.follower_min),
    follower_max: num(f.follower_max),
    min_engagement_rate: f.min_engagement_rate === '' ? null : Number(f.min_engagement_rate) / 100,
    budget_per_post_cents: f.budget === '' ? null : Math.round(Number(f.budget) * 100),
    target_countries_mode: f.target_countries_mode,
    max_data_age_days: num(f.max_data_age_days),
    min_confidence: f.min_confidence || null,
    // A merge patch: a tier left empty is null (removed); on create, empty tiers are left out.
    price_overrides: Object.fromEntries(
      TIERS.map((t) => [t, f.price_overrides[t] === '' ? null : Math.round(Number(f.price_overrides[t]) * 100)])
        .filter(([, v]) => !creating || v !== null),
    ),
  };
  if (f.alerts_on) body.alerts = { top_n: f.alerts_top_n === '' ? null : Number(f.alerts_top_n) };
  else if (f.alerts_known) body.alerts = null;
  for (const k of LISTS) {
    const v = split(f[k]);
    body[k] = v.length ? v : k === 'niches' ? [] : null;
  }
  if (creating) for (const k of Object.keys(body)) if (body[k] === null) delete body[k];
  if (creating && Object.keys(body.price_overrides).length === 0) delete body.price_overrides;
  return body;
}

function Field({ id, label, help, error, children }) {
  return (
    <div class={'field' + (error ? ' invalid' : '')}>
      <label for={id}>{label}</label>
      {children}
      {help && (
        <p class="help" id={id + '_help'}>
          {help}
        </p>
      )}
      {error && (
        <p class="field-error" id={id + '_err'}>
          {error}
        </p>
      )}
    </div>
  );
}

export default function BrandForm({ id }) {
  const creating = !id;
  const [form, setForm] = useState(creating ? toForm({}) : null);
  const [loadError, setLoadError] = useState(null);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const [facets, setFacets] = useState(null);

  useEffect(() => {
    // Suggestions only: a failure leaves the fields as plain inputs.
    api('GET', '/v1/creators?facets=category,country&limit=1').then((r) => setFacets(r.facets || null), () => {});
  }, []);

  useEffect(() => {
    if (creating) return;
    api('GET', `/v1/brands/${id}`).then((b) => setForm(toForm(b)), setLoadError);
  }, [id]);

  if (loadError) return <ProblemBox error={loadError} title="Could not load the brand" />;
  if (!form) return <Loading what="Loading the brand" />;

  const set = (k) => (e) => setForm({ ...form, [k]: e.currentTarget.value });
  const togglePlatform = (p) => (e) =>
    setForm({ ...form, platforms: e.currentTarget.checked ? [...form.platforms, p] : form.platforms.filter((x) => x !== p) });
  const err = (k) => fieldError(error, k);
  const described = (k, help) => [help ? k + '_help' : null, err(k) ? k + '_err' : null].filter(Boolean).join(' ') || undefined;
  const input = (k, props = {}) => (
    <input
      id={k}
      name={k}
      value={form[k]}
      onInput={set(k)}
      aria-invalid={err(k) ? 'true' : undefined}
      aria-describedby={described(k, props['data-help'])}
      {...props}
    />
  );

  // One-click suggestions from the facets: values not yet in the field, most frequent first.
  const suggest = (k, facet, label) => {
    if (!facets || !Array.isArray(facets[facet])) return null;
    const have = new Set(split(form[k]).map((x) => x.toLowerCase()));
    const vals = facets[facet].filter((v) => !have.has(String(v.value).toLowerCase())).slice(0, 6);
    if (vals.length === 0) return null;
    return (
      <div class="suggest" role="group" aria-label={'Suggested ' + label}>
        <span class="muted">Add:</span>
        {vals.map((v) => (
          <button key={v.value} type="button" class="secondary" title={`Add ${v.value} (${v.count} creators)`}
            onClick={() => setForm({ ...form, [k]: [...split(form[k]), v.value].join(', ') })}>
            {v.value} <span class="muted">{count(v.count)}</span>
          </button>
        ))}
      </div>
    );
  };
  const setPrice = (t) => (e) => setForm({ ...form, price_overrides: { ...form.price_overrides, [t]: e.currentTarget.value } });

  async function submit(e) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const body = toBody(form, creating);
      const b = creating
        ? await api('POST', '/v1/brands', { body })
        : await api('PATCH', `/v1/brands/${id}`, { body, contentType: 'application/merge-patch+json' });
      navigate(creating ? `matches/${b.id}` : 'brands');
    } catch (e2) {
      setError(e2);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section aria-labelledby="brand-form-h">
      <h1 id="brand-form-h" tabIndex={-1}>
        {creating ? 'New brand' : 'Edit brand'}
      </h1>
      <form class="card form-grid" onSubmit={submit} noValidate>
        <Field id="name" label="Name (required)" error={err('name')}>
          {input('name', { required: true, maxLength: 200, autocomplete: 'organization' })}
        </Field>
        <Field id="industry" label="Industry" error={err('industry')}>
          {input('industry', { maxLength: 200 })}
        </Field>
        <Field id="niches" label="Niches (required)" help="Comma-separated, e.g. fitness, nutrition" error={err('niches')}>
          {input('niches', { required: true, 'data-help': true })}
          {suggest('niches', 'category', 'niches')}
        </Field>
        <Field id="keywords" label="Keywords" help="Comma-separated words matched in categories, hashtags and bios" error={err('keywords')}>
          {input('keywords', { 'data-help': true })}
          {suggest('keywords', 'category', 'keywords')}
        </Field>
        <Field id="target_countries" label="Target countries" help="ISO codes, e.g. US, GB, DE" error={err('target_countries')}>
          {input('target_countries', { 'data-help': true, autocapitalize: 'characters' })}
          {suggest('target_countries', 'country', 'target countries')}
        </Field>
        <Field id="target_countries_mode" label="Target countries are" error={err('target_countries_mode')}>
          <select id="target_countries_mode" name="target_countries_mode" value={form.target_countries_mode} onChange={set('target_countries_mode')}>
            <option value="prefer">preferred (raise the audience score)</option>
            <option value="require">required (a hard rule)</option>
          </select>
        </Field>
        <Field id="target_languages" label="Target languages" help="ISO 639-1 codes, e.g. en, de" error={err('target_languages')}>
          {input('target_languages', { 'data-help': true })}
        </Field>
        <fieldset class={'field wide' + (err('platforms') ? ' invalid' : '')}>
          <legend>Platforms (none: all)</legend>
          <div class="checks">
            {PLATFORMS.map((p) => (
              <label key={p} class="check">
                <input type="checkbox" name="platforms" value={p} checked={form.platforms.includes(p)} onChange={togglePlatform(p)} />
                {p}
              </label>
            ))}
          </div>
          {err('platforms') && <p class="field-error">{err('platforms')}</p>}
        </fieldset>
        <Field id="goal" label="Goal" error={err('goal')}>
          <select id="goal" name="goal" value={form.goal} onChange={set('goal')}>
            <option value="engagement">engagement</option>
            <option value="awareness">awareness</option>
            <option value="conversions">conversions</option>
          </select>
        </Field>
        <Field id="target_gender" label="Audience gender" error={err('target_gender')}>
          <select id="target_gender" name="target_gender" value={form.target_gender} onChange={set('target_gender')}>
            <option value="any">any</option>
            <option value="female">female</option>
            <option value="male">male</option>
          </select>
        </Field>
        <Field id="follower_min" label="Followers from" error={err('follower_min')}>
          {input('follower_min', { type: 'number', min: 0, inputMode: 'numeric' })}
        </Field>
        <Field id="follower_max" label="Followers up to" error={err('follower_max')}>
          {input('follower_max', { type: 'number', min: 0, inputMode: 'numeric' })}
        </Field>
        <Field id="min_engagement_rate" label="Minimum engagement rate (%)" error={err('min_engagement_rate')}>
          {input('min_engagement_rate', { type: 'number', min: 0, max: 100, step: 'any' })}
        </Field>
        <Field id="budget" label="Budget per post ($)" error={err('budget_per_post_cents')}>
          {input('budget', { type: 'number', min: 0, step: 'any' })}
        </Field>
        <Field id="exclude_keywords" label="Exclude keywords" help="Brand safety: creators with one of these never match" error={err('exclude_keywords')}>
          {input('exclude_keywords', { 'data-help': true })}
        </Field>
        <Field id="exclude_handles" label="Exclude handles" help="Comma-separated handles, e.g. competitor ambassadors" error={err('exclude_handles')}>
          {input('exclude_handles', { 'data-help': true })}
        </Field>
        <Field id="max_data_age_days" label="Only data at most (days old)" help="Creators whose numbers are older, or undated, are left out of runs and plans; empty: any age" error={err('max_data_age_days')}>
          {input('max_data_age_days', { type: 'number', min: 0, max: 36500, inputMode: 'numeric', 'data-help': true })}
        </Field>
        <Field id="min_confidence" label="Data confidence at least" help="high: only high; medium: high or medium" error={err('min_confidence')}>
          <select id="min_confidence" name="min_confidence" value={form.min_confidence} onChange={set('min_confidence')}
            aria-describedby={described('min_confidence', true)} aria-invalid={err('min_confidence') ? 'true' : undefined}>
            <option value="">any (no filter)</option>
            <option value="high">high</option>
            <option value="medium">medium</option>
            <option value="low">low</option>
          </select>
        </Field>
        <fieldset class={'field wide alerts' + (err('alerts') ? ' invalid' : '')}>
          <legend>Match alerts</legend>
          <div class="checks">
            <label class="check">
              <input type="checkbox" id="alerts_on" checked={form.alerts_on} aria-describedby="alerts_help"
                onChange={(e) => setForm({ ...form, alerts_on: e.currentTarget.checked })} />
              Alert me about new creators who would rank in the top
            </label>
            <div class={'field' + (err('alerts.top_n') ? ' invalid' : '')}>
              <label for="alerts_top_n">Top N (1–200)</label>
              <input id="alerts_top_n" type="number" min={1} max={200} size={5} inputMode="numeric" value={form.alerts_top_n}
                disabled={!form.alerts_on} onInput={set('alerts_top_n')}
                aria-invalid={err('alerts.top_n') ? 'true' : undefined} aria-describedby={err('alerts.top_n') ? 'alerts_top_n_err' : undefined} />
              {err('alerts.top_n') && <p class="field-error" id="alerts_top_n_err">{err('alerts.top_n')}</p>}
            </div>
          </div>
          <p class="help" id="alerts_help">
            A creator imported or updated later who would rank inside the top N of the brand’s latest run is sent as the{' '}
            <code>match.new_candidate</code> webhook event (set up an endpoint for it; the brand needs a run first).
          </p>
          {err('alerts') && <p class="field-error">{err('alerts')}</p>}
        </fieldset>
        <fieldset class="field wide">
          <legend>Your price per post by tier ($, for plans; empty: the price table)</legend>
          <div class="checks">
            {TIERS.map((t) => (
              <div key={t} class={'field' + (err('price_overrides.' + t) ? ' invalid' : '')}>
                <label for={'price_' + t}>{t}</label>
                <input id={'price_' + t} type="number" min={0.01} step="any" size={8} value={form.price_overrides[t]} onInput={setPrice(t)}
                  aria-invalid={err('price_overrides.' + t) ? 'true' : undefined} />
                {err('price_overrides.' + t) && <p class="field-error">{err('price_overrides.' + t)}</p>}
              </div>
            ))}
          </div>
        </fieldset>
        <div class="form-actions wide">
          <button type="submit" disabled={busy}>
            {busy ? 'Saving…' : creating ? 'Create brand' : 'Save changes'}
          </button>
          <a href="#/brands">Cancel</a>
        </div>
        <div class="wide">
          <ProblemBox error={error} title="The brand was not saved" />
        </div>
      </form>
    </section>
  );
}
