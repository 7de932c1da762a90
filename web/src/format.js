// Number and date formatting shared by the screens.
const nf = new Intl.NumberFormat('en-US');

export function count(n) {
  return n === null || n === undefined ? '—' : nf.format(n);
}

export function compact(n) {
  if (n === null || n === undefined) return '—';
  if (n >= 1e6) return (n / 1e6).toFixed(n >= 1e7 ? 0 : 1) + 'M';
  if (n >= 1e3) return (n / 1e3).toFixed(n >= 1e4 ? 0 : 1) + 'k';
  return String(n);
}

export function percent(x, digits = 1) {
  return x === null || x === undefined ? '—' : (x * 100).toFixed(digits) + '%';
}

export function money(cents) {
  if (cents === null || cents === undefined) return '—';
  return '$' + (cents / 100).toLocaleString('en-US', { maximumFractionDigits: 2 });
}

export function cents(c) {
  return c === null || c === undefined ? '—' : c.toFixed(1) + '¢';
}

export function date(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  return isNaN(d) ? iso : d.toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short' });
}

export const STATUSES = ['shortlisted', 'contacted', 'accepted', 'declined', 'excluded'];
export const PLATFORMS = ['instagram', 'tiktok', 'youtube', 'twitter', 'facebook', 'twitch', 'linkedin', 'pinterest', 'other'];
export const TIERS = ['nano', 'micro', 'mid', 'macro', 'mega'];
