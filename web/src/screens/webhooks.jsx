// Webhooks (admin keys not bound to a brand): endpoints, an endpoint's recent delivery
// attempts, and a retry per delivery.
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.js';
import { date } from '../format.js';
import { Empty, Loading, ProblemBox } from '../components/states.jsx';

export default function Webhooks({ route }) {
  const id = route.parts[1] ? Number(route.parts[1]) : null;
  return id ? <Deliveries id={id} /> : <Endpoints />;
}

function Endpoints() {
  const [list, setList] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    api('GET', '/v1/webhooks?limit=200').then((l) => setList(l.data), setError);
  }, []);
  return (
    <section aria-labelledby="webhooks-h">
      <h1 id="webhooks-h" tabIndex={-1}>Webhooks</h1>
      <ProblemBox error={error} title="Could not load the webhooks" />
      {!list && !error && <Loading what="Loading webhooks" />}
      {list && list.length === 0 && <Empty>No webhook endpoints. Create one with POST /v1/webhooks (docs/webhooks.md).</Empty>}
      {list && list.length > 0 && (
        <div class="table-wrap" role="region" aria-label="Webhook endpoints" tabIndex={0}>
          <table class="data">
            <thead>
              <tr>
                <th scope="col">URL</th>
                <th scope="col">Events</th>
                <th scope="col">Status</th>
                <th scope="col">Deliveries</th>
              </tr>
            </thead>
            <tbody>
              {list.map((w) => (
                <tr key={w.id}>
                  <td class="break">{w.url}</td>
                  <td>{(w.events || []).join(', ')}</td>
                  <td>{w.status}</td>
                  <td>
                    <a href={`#/webhooks/${w.id}`}>Recent deliveries</a>
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

function Deliveries({ id }) {
  const [list, setList] = useState(null);
  const [error, setError] = useState(null);
  const [notice, setNotice] = useState('');
  const load = () => api('GET', `/v1/webhooks/${id}/deliveries?limit=50`).then((l) => setList(l.data), setError);
  useEffect(() => {
    load();
  }, [id]);
  async function retry(deliveryId) {
    try {
      await api('POST', `/v1/webhooks/${id}/deliveries/${deliveryId}/retry`, { body: {} });
      setNotice(`Delivery ${deliveryId} is due again.`);
      load();
    } catch (e) {
      setError(e);
    }
  }
  return (
    <section aria-labelledby="deliveries-h">
      <p>
        <a href="#/webhooks">← All endpoints</a>
      </p>
      <h1 id="deliveries-h" tabIndex={-1}>Deliveries of endpoint {id}</h1>
      <p class="notice" role="status" aria-live="polite">
        {notice}
      </p>
      <ProblemBox error={error} />
      {!list && !error && <Loading what="Loading deliveries" />}
      {list && list.length === 0 && <Empty>No delivery attempts yet.</Empty>}
      {list && list.length > 0 && (
        <div class="table-wrap" role="region" aria-label="Delivery attempts" tabIndex={0}>
          <table class="data">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Event</th>
                <th scope="col" class="num">Attempt</th>
                <th scope="col">Result</th>
                <th scope="col">State</th>
                <th scope="col">Retry</th>
              </tr>
            </thead>
            <tbody>
              {list.map((d) => (
                <tr key={d.id}>
                  <td>{date(d.created_at)}</td>
                  <td>{d.event_type}</td>
                  <td class="num">{d.attempt}</td>
                  <td>{d.http_status ? 'HTTP ' + d.http_status : d.error || '—'}</td>
                  <td>{d.delivery_state}</td>
                  <td>
                    <button type="button" class="secondary" onClick={() => retry(d.delivery_id)}>
                      Retry
                    </button>
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
