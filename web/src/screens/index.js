// The screen registry: one module per screen. A new screen (the plan, webhooks...) is a
// file in this directory and one entry here; the shell builds the navigation from it.
import Brands from './brands.jsx';
import Matches from './matches.jsx';
import Creators from './creators.jsx';
import Import from './import.jsx';
import Lookalikes from './lookalikes.jsx';
import Plan from './plan.jsx';
import Webhooks from './webhooks.jsx';

export const screens = [
  { id: 'brands', title: 'Brands', component: Brands },
  { id: 'matches', title: 'Matches', component: Matches },
  { id: 'creators', title: 'Creators', component: Creators },
  { id: 'lookalikes', title: 'Lookalikes', component: Lookalikes },
  { id: 'import', title: 'Import', component: Import },
  { id: 'plan', title: 'Plan', component: Plan },
  { id: 'webhooks', title: 'Webhooks', component: Webhooks, role: 'admin' },
];

export function screenFor(parts) {
  return screens.find((s) => s.id === parts[0]) || screens[0];
}
