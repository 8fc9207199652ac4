// Join the union in three steps: name, phone, occupation. Each step is checked here first, in words a rider
// understands, next to its field; the hub checks again and its answer is shown next to the field it names.
// The member token it answers with stays on this phone; then the pass page shows the member pass (or, under
// join-policy approval, that the staff have yet to approve). Under join-policy sms the hub first sends a code to
// the phone, which the rider types in here.
import { $, safeNext } from './common.js';
import { t, onLanguage, initLanguage } from './i18n.js';
import { call, generalError, memberToken, saveMember } from './rider.js';

const FIELDS = ['name', 'phone', 'occupation'];
let step = 1;
const shown = {}; // field -> text key of its error, so a language switch re-words it

function setError(field, key) {
  shown[field] = key;
  const p = $(field + '-error');
  p.textContent = key ? t(key) : '';
  const input = field === 'occupation' ? null : $(field);
  if (input) { input.setAttribute('aria-invalid', key ? 'true' : 'false'); }
}

function values() {
  const occ = document.querySelector('input[name=occupation]:checked');
  return {
    name: $('name').value.trim(),
    // people type spaces, dashes and +86 in phone numbers: keep the digits, drop a leading 86
    phone: $('phone').value.replace(/[\s-]/g, '').replace(/^\+?86(?=1\d{10}$)/, ''),
    occupation: occ ? occ.value : ''
  };
}

function check(field) {
  const v = values();
  let key = null;
  if (field === 'name') {
    if (!v.name) { key = 'join.err.name.empty'; } else if ([...v.name].length > 50) { key = 'join.err.name.long'; }
    // eslint-disable-next-line no-control-regex
    else if (/[\u0000-\u001f\u007f]/.test(v.name)) { key = 'join.err.name.bad'; }
  } else if (field === 'phone') {
    if (!v.phone) { key = 'join.err.phone.empty'; } else if (!/^1[3-9]\d{9}$/.test(v.phone)) { key = 'join.err.phone.bad'; }
  } else if (!v.occupation) {
    key = 'join.err.occupation.empty';
  }
  setError(field, key);
  return !key;
}

function show(n) {
  step = n;
  [1, 2, 3].forEach((i) => {
    $('step-' + i).hidden = i !== n;
    $('bar-' + i).className = i <= n ? 'done' : '';
  });
  $('back').hidden = n === 1;
  $('next').setAttribute('data-i18n', n === 3 ? 'join.submit' : 'join.next');
  $('next').textContent = t(n === 3 ? 'join.submit' : 'join.next');
  $('step-of').textContent = t('join.stepOf', { n });
  document.body.dataset.step = String(n);
  const focus = n === 3 ? document.querySelector('input[name=occupation]') : $(FIELDS[n - 1]);
  if (focus) { focus.focus(); }
}

/** Where the hub's answer names a field, the error goes beside it, on that field's step. */
function serverError(r) {
  const e = r.body.error || {};
  if (r.status === 409 && e.code === 'member-exists') {
    setError('phone', 'join.err.phone.taken');
    return show(2);
  }
  if (r.status === 400 && FIELDS.includes(e.field)) {
    setError(e.field, e.field === 'name' ? 'join.err.name.bad' : e.field === 'phone' ? 'join.err.phone.bad'
      : 'join.err.occupation.empty');
    return show(FIELDS.indexOf(e.field) + 1);
  }
  $('form-error').textContent = generalError(r);
}

async function submit() {
  $('form-error').textContent = '';
  const v = values();
  const next = $('next');
  next.disabled = true;
  next.textContent = t('join.sending');
  const r = await call('POST', '/api/v1/members', v);
  next.disabled = false;
  next.textContent = t('join.submit');
  if ((r.status === 201 || r.status === 202) && r.body.memberToken) {
    done(r.body); // joined, or waiting for the staff to approve (the pass page says so)
    return;
  }
  if (r.status === 202 && r.body.status === 'code-sent') {
    askCode();
    return;
  }
  serverError(r);
}

function done(body) {
  saveMember(body.memberToken, body.member.name, body.memberTokenExpiresAt);
  const back = new URLSearchParams(location.search).get('next');
  location.href = back ? safeNext(back) : '/pass.html';
}

/** join-policy sms: the code sent to the phone makes the membership. */
function askCode() {
  step = 4;
  [1, 2, 3].forEach((i) => { $('step-' + i).hidden = true; });
  $('step-code').hidden = false;
  $('back').hidden = true;
  $('next').setAttribute('data-i18n', 'join.verify');
  $('next').textContent = t('join.verify');
  $('code').focus();
}

const CODE_ERRORS = { 'code-wrong': 'join.err.code.wrong', 'code-expired': 'join.err.code.again',
  'no-code': 'join.err.code.again', 'code-attempts-used-up': 'join.err.code.again' };

async function verify() {
  const code = $('code').value.replace(/\s/g, '');
  if (!/^\d{6}$/.test(code)) {
    setError('code', 'join.err.code.wrong');
    return;
  }
  setError('code', null);
  $('form-error').textContent = '';
  const r = await call('POST', '/api/v1/members/verify', { phone: values().phone, code });
  if (r.status === 200 && r.body.memberToken) {
    done(r.body);
    return;
  }
  const key = CODE_ERRORS[(r.body.error || {}).code];
  if (key) {
    setError('code', key);
  } else {
    $('form-error').textContent = generalError(r);
  }
}

$('join').addEventListener('submit', (ev) => {
  ev.preventDefault();
  if (step === 4) {
    verify();
    return;
  }
  if (!check(FIELDS[step - 1])) { return; }
  if (step < 3) {
    show(step + 1);
  } else {
    submit();
  }
});
$('back').addEventListener('click', () => show(Math.max(1, step - 1)));
document.querySelectorAll('input[name=occupation]').forEach((r) => r.addEventListener('change', () => check('occupation')));

onLanguage(() => {
  Object.keys(shown).forEach((f) => setError(f, shown[f]));
  if (step < 4) { $('step-of').textContent = t('join.stepOf', { n: step }); }
});
if (memberToken()) {
  $('already').hidden = false;
}
show(1);
initLanguage();
