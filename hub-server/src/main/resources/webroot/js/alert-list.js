// A list of alerts with their acknowledgement and resolution, and the forms to acknowledge and resolve them.
// Used by the alerts page and the station page.
import { el, button, fmtTime, api, alertText, stationHref } from './common.js';
import { t } from './i18n.js';

/**
 * Renders alerts into container. names maps station ids to names (shown when showStation); onChange(alert) is
 * called with the alert as the hub answers after an acknowledge or resolve.
 */
export function renderAlerts(container, alerts, options) {
  const opts = options || {};
  container.textContent = '';
  if (!alerts.length) {
    container.appendChild(el('p', 'muted', t('al.none')));
    return;
  }
  const list = el('ul', 'alert-list');
  alerts.forEach((a) => list.appendChild(item(a, opts)));
  container.appendChild(list);
}

function item(a, opts) {
  const li = el('li', 'alert-item' + (a.closedAt ? ' closed' : ' open') + (['smoke', 'safety-cutoff'].includes(a.type) ? ' danger' : ''));
  li.setAttribute('data-alert', String(a.id));
  const head = el('div', 'alert-head');
  head.appendChild(el('strong', 'alert-type', alertText(a)));
  if (opts.showStation) {
    const link = el('a', 'alert-station', (opts.names && opts.names.get(a.stationId)) || a.stationId);
    link.href = stationHref(a.stationId);
    head.appendChild(link);
  }
  li.appendChild(head);
  const when = el('div', 'alert-when muted');
  when.appendChild(el('span', null, t('al.opened', { t: fmtTime(a.openedAt) })));
  when.appendChild(el('span', 'alert-state', a.closedAt ? t('al.closed', { t: fmtTime(a.closedAt) }) : t('al.open')));
  li.appendChild(when);

  const msg = el('p', 'error');
  if (a.ack) {
    li.appendChild(el('div', 'alert-ack', t('al.acked', { by: a.ack.by, t: fmtTime(a.ack.at) })));
  }
  if (a.resolution) {
    li.appendChild(el('div', 'alert-resolution', t('al.resolved', { by: a.resolution.by, t: fmtTime(a.resolution.at) })));
    li.appendChild(el('blockquote', 'alert-note', a.resolution.note));
  } else {
    const actions = el('form', 'alert-actions');
    if (!a.ack) {
      actions.appendChild(button(t('al.ack'), 'ack', () => act(a, 'ack', undefined, msg, opts)));
    }
    const note = el('input', 'note');
    note.name = 'note';
    note.maxLength = 500;
    note.placeholder = t('al.note');
    note.setAttribute('aria-label', t('al.note'));
    actions.appendChild(note);
    const resolve = el('button', 'resolve', t('al.resolve'));
    resolve.type = 'submit';
    actions.appendChild(resolve);
    actions.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const text = note.value.trim();
      if (!text) { msg.textContent = t('al.needNote'); note.focus(); return; }
      act(a, 'resolve', { note: text }, msg, opts);
    });
    li.appendChild(actions);
  }
  li.appendChild(msg);
  return li;
}

async function act(a, what, body, msg, opts) {
  msg.textContent = '';
  try {
    const updated = await api('POST', '/api/v1/alerts/' + encodeURIComponent(a.id) + '/' + what, body === undefined ? {} : body);
    if (opts.onChange) { opts.onChange(updated); }
  } catch (e) {
    msg.textContent = e.status === 409 ? t('al.conflict') : t('error', { m: e.message });
  }
}
