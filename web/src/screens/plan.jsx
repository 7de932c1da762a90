// The budget plan screen's slot: POST /v1/brands/{id}/plans is not in this API yet.
// When it lands, this module renders the budget form and the portfolio with a uPlot
// chart against the single big account (uplot is already a dependency).
export default function Plan() {
  return (
    <section aria-labelledby="plan-h">
      <h1 id="plan-h" tabIndex={-1}>Plan</h1>
      <div class="state empty">
        <p>Budget plans are not available from this server yet.</p>
        <p class="muted">This screen will take a budget and show the portfolio of creators against one big account.</p>
      </div>
    </section>
  );
}
