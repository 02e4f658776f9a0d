/*
 * Reference web page of twofa-service. Plain JavaScript, public REST API only.
 *
 * Tokens live in the variables of this closure and nowhere else: no localStorage, sessionStorage or cookies.
 * Reloading the page signs out. JWT payloads are decoded here only to show them; the service verifies them.
 */
(function () {
  'use strict';

  const CLIENT = 'web';
  const API = 'api/v1/';

  /** Everything the page knows about the current sign-in; wiped on sign-out. */
  let session = emptySession();

  function emptySession() {
    return {
      login: null,          // as typed at the password step
      challenge: null,      // { token, expiresAt, kind: 'second_factor' | 'enrollment' | 'password_change' }
      temporaryPassword: null, // the admin's temporary password just typed, sent once as current_password
      access: null,         // { token, claims, expiresAt }
      enrollmentDue: null,  // grace period end (SPEC §8), from the login response
      enrollment: null,     // { flow: 'login' | 'new_phone', token (the challenge that reads and confirms it), issuer, expiresAt }
      policy: null,         // GET /site-policy, for the issuer shown on backup codes
      me: null,             // GET /me
      codes: null,          // backup codes on screen: { login, issuer, codes, generatedAt, then }
      notice: null,         // text shown once on the home screen
      auditBefore: null,
      usersAfter: null      // keyset of the accounts list: the last login shown
    };
  }

  const timers = new Set();

  // ------------------------------------------------------------------------------------------------ helpers

  const $ = (id) => document.getElementById(id);

  function text(id, value) {
    $(id).textContent = value == null ? '' : String(value);
  }

  /** Runs fn now and every ms until fn calls the cancel function it is given (or all timers stop). */
  function every(ms, fn) {
    let handle = null;
    let cancelled = false;
    const cancel = () => {
      cancelled = true;
      if (handle != null) {
        clearInterval(handle);
        timers.delete(handle);
      }
    };
    fn(cancel);
    if (!cancelled) {
      handle = setInterval(() => fn(cancel), ms);
      timers.add(handle);
    }
    return cancel;
  }

  function stopAllTimers() {
    timers.forEach((h) => clearInterval(h));
    timers.clear();
  }

  const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
  const timeOnly = new Intl.DateTimeFormat(undefined, { timeStyle: 'medium' });

  function formatDateTime(value) {
    if (value == null) return '';
    const d = value instanceof Date ? value : new Date(value);
    return isNaN(d.getTime()) ? String(value) : dateTime.format(d);
  }

  /** 75 -> "1:15", 3725 -> "1:02:05". */
  function formatDuration(seconds) {
    const s = Math.max(0, Math.ceil(seconds));
    const h = Math.floor(s / 3600);
    const m = Math.floor((s % 3600) / 60);
    const r = String(s % 60).padStart(2, '0');
    return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${r}` : `${m}:${r}`;
  }

  function plural(n, one, many) {
    return `${n} ${n === 1 ? one : many}`;
  }

  /** The payload of a JWT, for display only (the signature is the service's business). */
  function jwtClaims(token) {
    try {
      const part = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
      const padded = part + '==='.slice((part.length + 3) % 4);
      const bytes = Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
      return JSON.parse(new TextDecoder().decode(bytes));
    } catch (e) {
      return {};
    }
  }

  /** "JBSWY3DPEHPK3PXP..." -> "JBSW Y3DP EHPK 3PXP ..." */
  function groupsOfFour(s) {
    return (s.match(/.{1,4}/g) || []).join(' ');
  }

  /** Codes as typed: "123 456" -> "123456". */
  function digitsOnly(s) {
    return s.replace(/[\s-]/g, '');
  }

  // ------------------------------------------------------------------------------------------------ API

  class ApiError extends Error {
    constructor(status, message, problem, headers) {
      super(message);
      this.status = status;
      this.problem = problem || {};
      this.field = this.problem.field || null;
      this.retryAfter = status === 429 ? retryAfterSeconds(headers, this.problem) : null;
      // the service adds WWW-Authenticate only when the token itself was refused (expired, wrong kind),
      // not when a password or code was wrong
      this.tokenRefused = status === 401 && !!headers && headers.has('WWW-Authenticate');
    }
  }

  function retryAfterSeconds(headers, problem) {
    const header = headers && headers.get('Retry-After');
    if (header) {
      if (/^\d+$/.test(header.trim())) return parseInt(header, 10);
      const at = Date.parse(header);
      if (!isNaN(at)) return Math.max(1, Math.ceil((at - Date.now()) / 1000));
    }
    return typeof problem.retry_after === 'number' ? problem.retry_after : 30;
  }

  async function api(method, path, options) {
    const { token, body } = options || {};
    const headers = { Accept: 'application/json, application/problem+json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (token) headers.Authorization = 'Bearer ' + token;
    let response;
    try {
      response = await fetch(API + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        cache: 'no-store',
        credentials: 'omit',
        redirect: 'error'
      });
    } catch (e) {
      throw new ApiError(0, 'The service could not be reached. Check your connection and try again.');
    }
    if (response.ok) {
      if (response.status === 204) return null;
      return response.json();
    }
    let problem = {};
    try {
      problem = await response.json();
    } catch (e) {
      // not problem+json (a proxy page, say): the status line is all we have
    }
    const message = problem.detail || problem.title || `The request failed (HTTP ${response.status}).`;
    throw new ApiError(response.status, message, problem, response.headers);
  }

  const STEP_UP_REQUIRED = 'urn:twofa:problem:step-up-required';

  /**
   * An API call with the access token; a refused token ends the session. An action that needs a recent sign-in
   * (403 step-up-required) asks for the password and a code in a dialog, then runs once more with the fresh token.
   */
  async function withAccess(method, path, body) {
    if (!session.access) throw new ApiError(401, 'You are signed out.');
    try {
      return await api(method, path, { token: session.access.token, body });
    } catch (e) {
      if (e.tokenRefused) {
        signOut('Your session has ended. Sign in again.');
      }
      if (e.status === 403 && e.problem.type === STEP_UP_REQUIRED) {
        await stepUp(e.problem.max_age);
        return withAccessOnce(method, path, body);
      }
      throw e;
    }
  }

  /** The retry after a step-up: no second dialog. */
  async function withAccessOnce(method, path, body) {
    try {
      return await api(method, path, { token: session.access.token, body });
    } catch (e) {
      if (e.tokenRefused) signOut('Your session has ended. Sign in again.');
      throw e;
    }
  }

  // ------------------------------------------------------------------------------------------------ forms

  /**
   * Runs a form's action with its button busy, its error cleared, and the outcome shown: the problem detail,
   * the field marked, and for 429 a countdown during which the form cannot be sent.
   */
  function handleSubmit(form, action) {
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const button = form.querySelector('button[type="submit"]');
      if (button.disabled) return;
      clearErrors(form);
      button.disabled = true;
      form.setAttribute('aria-busy', 'true');
      let waiting = false;
      try {
        await action(form);
      } catch (e) {
        waiting = showError(form, e);
      } finally {
        form.removeAttribute('aria-busy');
        if (!waiting) button.disabled = false;
      }
    });
  }

  function clearErrors(form) {
    const error = form.querySelector('.error');
    if (error) error.textContent = '';
    form.querySelectorAll('[aria-invalid]').forEach((el) => el.removeAttribute('aria-invalid'));
  }

  /** Shows an error inside the form; true when the form now waits out a 429. */
  function showError(form, e) {
    const error = form.querySelector('.error');
    if (!(e instanceof ApiError)) {
      console.error(e);
      error.textContent = 'Something went wrong in this page. Reload it and try again.';
      return false;
    }
    if (e.status === 429) {
      startWait(form, e.retryAfter);
      return true;
    }
    error.textContent = e.message;
    const field = e.field && form.querySelector(`[data-field="${CSS.escape(e.field)}"]`);
    const target = field || form.querySelector('[data-focus-on-error]') || form.querySelector('input:not([disabled])');
    if (field) field.setAttribute('aria-invalid', 'true');
    if (target && e.status !== 0 && !e.tokenRefused && !form.closest('[hidden]')) {
      if (typeof target.select === 'function' && /^(text|password|number|search)$/.test(target.type)) target.select();
      target.focus();
    }
    return false;
  }

  /** 429: the attempt was not evaluated; say how long to wait and count down, with the button off. */
  function startWait(form, seconds) {
    const error = form.querySelector('.error');
    const button = form.querySelector('button[type="submit"]');
    const until = Date.now() + seconds * 1000;
    error.textContent = 'Too many failed attempts. For your security, wait before trying again: ';
    const clock = document.createElement('span');
    clock.className = 'countdown';
    clock.setAttribute('aria-live', 'off'); // announced once with the alert, not every second
    error.appendChild(clock);
    error.append('.');
    button.disabled = true;
    every(250, (cancel) => {
      const left = (until - Date.now()) / 1000;
      if (left <= 0) {
        cancel();
        button.disabled = false;
        error.textContent = 'You can try again now.';
        return;
      }
      clock.textContent = formatDuration(left);
    });
  }

  function resetForms() {
    stopAllTimers();
    document.querySelectorAll('form').forEach((form) => {
      form.reset();
      clearErrors(form);
      form.querySelectorAll('button').forEach((b) => { b.disabled = false; });
    });
  }

  // ------------------------------------------------------------------------------------------------ screens

  function show(screenId, focusId) {
    document.querySelectorAll('.screen').forEach((s) => { s.hidden = s.id !== screenId; });
    const screen = $(screenId);
    document.title = `${screen.dataset.title} – two-step verification`;
    document.body.classList.toggle('showing-codes', screenId === 'screen-codes');
    const target = (focusId && $(focusId)) || screen.querySelector('h1');
    target.focus();
    window.scrollTo(0, 0);
  }

  function updateHeader() {
    const signedIn = !!session.access;
    $('header-user').hidden = !signedIn;
    text('header-user-name', signedIn ? `Signed in as ${session.access.claims.upn || session.login}` : '');
  }

  // ------------------------------------------------------------------------------------------------ sign in

  handleSubmit($('login-form'), async () => {
    const login = $('login-login').value.trim();
    const password = $('login-password').value;
    if (!login || !password) {
      throw new ApiError(400, 'Enter your login and your password.');
    }
    text('login-notice', '');
    let answer;
    try {
      answer = await api('POST', 'auth/login', { body: { login, password, client: CLIENT } });
    } catch (e) {
      if (e.status === 401) $('login-password').value = '';
      throw e;
    }
    $('login-password').value = '';
    session.login = login;
    if (answer.status === 'password_change_required') {
      // kept only until the new password is saved: the user does not type the temporary one twice
      session.temporaryPassword = password;
    }
    await continueLogin(answer);
  });

  /** The next step of a login, from the answer of the password step (or of the change of a temporary password). */
  async function continueLogin(answer) {
    if (answer.status === 'authenticated') {
      session.challenge = null;
      session.enrollmentDue = answer.enrollment_due || null;
      await enterHome(answer);
    } else if (answer.status === 'second_factor_required') {
      session.challenge = challengeOf(answer, 'second_factor');
      showVerify();
    } else if (answer.status === 'enrollment_required') {
      session.challenge = challengeOf(answer, 'enrollment');
      await startEnrollment('login');
    } else if (answer.status === 'password_change_required') {
      session.challenge = challengeOf(answer, 'password_change');
      showPasswordChange();
    } else {
      throw new ApiError(0, `Unexpected answer from the service (${answer.status}).`);
    }
  }

  // ------------------------------------------------------------------------------------------------ temporary password

  function showPasswordChange() {
    document.querySelectorAll('.pending-login').forEach((el) => { el.textContent = session.login; });
    show('screen-password', 'new-own-password');
    every(1000, (cancel) => {
      if (!session.challenge || session.challenge.kind !== 'password_change') { cancel(); return; }
      const left = (session.challenge.expiresAt - Date.now()) / 1000;
      text('password-deadline', left > 0
        ? `For your security this step must be finished within ${formatDuration(left)}.`
        : 'This sign-in has timed out. Choose “Cancel and start over”.');
      if (left <= 0) cancel();
    });
  }

  handleSubmit($('password-change-form'), async () => {
    const next = $('new-own-password').value;
    if (next.length < 8) {
      throw new ApiError(400, 'Choose a password of at least 8 characters.', { field: 'new_password' });
    }
    if (next !== $('new-own-password-again').value) {
      throw new ApiError(400, 'The two passwords differ. Type the same new password twice.', { field: 'new_password' });
    }
    if (challengeExpired()) {
      signOut('That sign-in took too long. Sign in again with the temporary password.');
      return;
    }
    let answer;
    try {
      answer = await api('PUT', 'me/password', {
        token: session.challenge.token,
        body: { current_password: session.temporaryPassword, new_password: next }
      });
    } catch (e) {
      if (e.tokenRefused) {
        signOut('That sign-in took too long. Sign in again with the temporary password.');
        return;
      }
      throw e;
    }
    session.temporaryPassword = null;
    $('password-change-form').reset();
    session.notice = 'Your new password is saved.';
    await continueLogin(answer);
  });

  $('password-change-cancel').addEventListener('click', () => signOut(''));

  function challengeOf(answer, kind) {
    return { token: answer.challenge_token, expiresAt: Date.now() + answer.expires_in * 1000, kind };
  }

  function challengeExpired() {
    return !session.challenge || Date.now() >= session.challenge.expiresAt;
  }

  /** Back to the sign-in screen, forgetting every token. */
  function signOut(message) {
    session = emptySession();
    resetForms();
    // nothing of the last person's session stays on the page
    $('codes-list').replaceChildren();
    ['codes-sheet-title', 'codes-sheet-date', 'home-notice', 'users-status', 'policy-status', 'policy-updated',
      'audit-caption', 'user-card-title', 'enroll-secret', 'enroll-account'].forEach((id) => text(id, ''));
    $('audit-rows').replaceChildren();
    $('audit-more').hidden = true;
    $('user-facts').replaceChildren();
    $('user-card').hidden = true;
    shownUser = null;
    $('users-rows').replaceChildren();
    $('users-table').hidden = true;
    $('users-more').hidden = true;
    closeStepUp(false);
    $('enroll-qr').removeAttribute('src');
    delete $('enroll-secret').dataset.secret;
    ['me-login', 'me-role', 'me-factor', 'me-amr', 'me-client', 'me-auth-time', 'me-expiry', 'me-enrolled',
      'me-codes-left'].forEach((id) => text(id, ''));
    updateHeader();
    text('login-notice', message || '');
    show('screen-login', 'login-login');
  }

  $('sign-out').addEventListener('click', () => signOut('You have signed out.'));

  // ------------------------------------------------------------------------------------------------ second factor

  function showVerify() {
    document.querySelectorAll('.pending-login').forEach((el) => { el.textContent = session.login; });
    useBackupCode(false);
    show('screen-verify', 'totp-code');
    every(1000, (cancel) => {
      if (!session.challenge) { cancel(); return; }
      const left = (session.challenge.expiresAt - Date.now()) / 1000;
      text('verify-deadline', left > 0
        ? `For your security this step must be finished within ${formatDuration(left)}.`
        : 'This sign-in has timed out. Choose “Cancel and start over”.');
      if (left <= 0) cancel();
    });
  }

  function useBackupCode(on) {
    $('totp-form').hidden = on;
    $('backup-form').hidden = !on;
    $('use-backup').hidden = on;
    $('use-totp').hidden = !on;
    clearErrors($('totp-form'));
    clearErrors($('backup-form'));
  }

  $('use-backup').addEventListener('click', () => { useBackupCode(true); $('backup-code').focus(); });
  $('use-totp').addEventListener('click', () => { useBackupCode(false); $('totp-code').focus(); });
  $('verify-cancel').addEventListener('click', () => signOut(''));

  handleSubmit($('totp-form'), async () => {
    const code = digitsOnly($('totp-code').value);
    if (!/^\d{6}$/.test(code)) {
      throw new ApiError(400, 'Enter the 6 digits your authenticator app shows.');
    }
    await verifySecondFactor({ code }, $('totp-code'));
  });

  handleSubmit($('backup-form'), async () => {
    const backupCode = $('backup-code').value.trim();
    if (!backupCode) {
      throw new ApiError(400, 'Enter one of your backup codes.');
    }
    await verifySecondFactor({ backup_code: backupCode }, $('backup-code'));
  });

  async function verifySecondFactor(body, input) {
    if (challengeExpired()) {
      signOut('That sign-in took too long. Sign in again.');
      return;
    }
    let answer;
    try {
      answer = await api('POST', 'auth/verify', { token: session.challenge.token, body });
    } catch (e) {
      if (e.tokenRefused) {
        signOut('That sign-in took too long. Sign in again.');
        return;
      }
      if (e.status === 401) input.value = '';
      throw e;
    }
    if (answer.backup_codes_remaining != null) {
      const left = answer.backup_codes_remaining;
      session.notice = {
        warning: !!answer.regenerate_backup_codes || left === 0,
        text: `You signed in with a backup code; it cannot be used again. ${plural(left, 'backup code is', 'backup codes are')} left.`
          + (answer.regenerate_backup_codes || left === 0 ? ' Generate new codes below before you run out.' : '')
      };
    }
    session.challenge = null;
    await enterHome(answer);
  }

  // ------------------------------------------------------------------------------------------------ enrolment

  /**
   * flow 'login': with the challenge token of an enrollment_required login.
   * flow 'new_phone': with the access token and the password re-entered.
   */
  async function startEnrollment(flow, password) {
    let started;
    if (flow === 'login') {
      started = await api('POST', 'enrollment', { token: session.challenge.token, body: {} });
    } else {
      started = await withAccess('POST', 'enrollment', { password });
    }
    const issuer = issuerOf(started.otpauth_uri);
    const pendingUntil = Date.now() + started.expires_in * 1000;
    session.enrollment = {
      flow,
      // only this token reads and confirms the new key: the access token cannot (a stolen one is not enough)
      token: flow === 'login' ? session.challenge.token : started.enrollment_token,
      issuer,
      // in the login flow the challenge token usually expires before the pending key does
      expiresAt: flow === 'login' ? Math.min(pendingUntil, session.challenge.expiresAt) : pendingUntil
    };
    const login = flow === 'login' ? session.login : session.access.claims.upn;
    $('enroll-qr').src = started.qr_png;
    text('enroll-secret', groupsOfFour(started.secret));
    $('enroll-secret').dataset.secret = started.secret;
    text('enroll-account', `${issuer} (${login})`);
    text('enroll-copy-status', '');
    $('enroll-restart').hidden = true;
    $('enroll-form').reset();
    clearErrors($('enroll-form'));
    if (flow === 'login') {
      text('enroll-title', 'Set up your authenticator app');
      text('enroll-intro', `${issuer} asks for a code from an authenticator app at every sign-in. Set one up now to finish signing in as ${login}.`);
      text('enroll-cancel', 'Cancel and sign out');
    } else {
      text('enroll-title', 'Set up your new phone');
      text('enroll-intro', 'Scan this code with the authenticator app on your new phone. Your old phone keeps working until you verify the new one here.');
      text('enroll-cancel', 'Cancel – keep the old phone');
    }
    show('screen-enroll', 'enroll-title');
    every(1000, (cancel) => {
      if (!session.enrollment) { cancel(); return; }
      const left = (session.enrollment.expiresAt - Date.now()) / 1000;
      text('enroll-deadline', left > 0
        ? `This key must be verified within ${formatDuration(left)}.`
        : 'This key has expired. Start again.');
      if (left <= 0) {
        cancel();
        $('enroll-restart').hidden = false;
      }
    });
  }

  function issuerOf(otpauthUri) {
    try {
      return new URL(otpauthUri).searchParams.get('issuer') || '';
    } catch (e) {
      return '';
    }
  }

  $('enroll-copy').addEventListener('click', async () => {
    const secret = $('enroll-secret').dataset.secret || '';
    try {
      await navigator.clipboard.writeText(secret);
      text('enroll-copy-status', 'Key copied.');
    } catch (e) {
      // clipboard needs a secure context (https or localhost): select the text for a manual copy instead
      const range = document.createRange();
      range.selectNodeContents($('enroll-secret'));
      const selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      text('enroll-copy-status', 'Key selected: press Ctrl+C (⌘C) to copy it.');
    }
  });

  $('enroll-cancel').addEventListener('click', () => {
    if (session.enrollment && session.enrollment.flow === 'new_phone') {
      session.enrollment = null;
      stopAllTimers();
      showHome('Nothing changed: your current authenticator app still works.');
    } else {
      signOut('');
    }
  });

  $('enroll-restart').addEventListener('click', async () => {
    const flow = session.enrollment ? session.enrollment.flow : 'login';
    if (flow === 'new_phone') {
      // a new key for a new phone needs the password again
      session.enrollment = null;
      stopAllTimers();
      showHome('The key expired. Enter your password to start again.');
      $('phone-password').focus();
      return;
    }
    signOut('The set-up took too long. Sign in again to get a new key.');
  });

  handleSubmit($('enroll-form'), async () => {
    const code = digitsOnly($('enroll-code').value);
    if (!/^\d{6}$/.test(code)) {
      throw new ApiError(400, 'Enter the 6 digits your authenticator app shows.');
    }
    const flow = session.enrollment.flow;
    let confirmed;
    try {
      confirmed = await api('POST', 'enrollment/confirm', { token: session.enrollment.token, body: { code } });
    } catch (e) {
      if (e.tokenRefused && flow === 'login') {
        signOut('The set-up took too long. Sign in again to get a new key.');
        return;
      }
      if (e.tokenRefused) {
        session.enrollment = null;
        stopAllTimers();
        await showHome({ text: 'The set-up of the new phone took too long. Enter your password to start again.', warning: true });
        $('phone-password').focus();
        return;
      }
      if (e.status === 409) {
        $('enroll-restart').hidden = false;
      }
      if (e.status === 401) $('enroll-code').value = '';
      throw e;
    }
    session.enrollment = null;
    stopAllTimers();
    $('enroll-qr').removeAttribute('src');
    text('enroll-secret', '');
    delete $('enroll-secret').dataset.secret;
    if (confirmed.access_token) {
      session.challenge = null;
      setAccess(confirmed);
    }
    const issuer = await issuerForCodes();
    showCodes({
      login: session.access.claims.upn || session.login,
      issuer,
      codes: confirmed.backup_codes,
      generatedAt: confirmed.backup_codes_generated_at,
      heading: 'Authenticator app saved',
      intro: 'Your authenticator app is set up. Keep these backup codes for the day you lose your phone:',
      then: () => enterHome(null)
    });
  });

  // ------------------------------------------------------------------------------------------------ backup codes

  async function issuerForCodes() {
    if (!session.policy) {
      try {
        session.policy = await withAccess('GET', 'site-policy');
      } catch (e) {
        return '';
      }
    }
    return session.policy.issuer;
  }

  /** Shows a set of codes once; `then` runs on "continue" after the codes are wiped from the page. */
  function showCodes(set) {
    session.codes = set;
    text('codes-title', set.heading || 'Save your backup codes');
    if (set.intro) {
      text('codes-intro', set.intro);
    } else {
      $('codes-intro').replaceChildren(
        'If you lose your phone, each code lets you sign in once instead of an authenticator code. ',
        Object.assign(document.createElement('strong'), { textContent: 'They are shown only now' }),
        ': print them or save them to a file, and keep them somewhere safe.');
    }
    text('codes-sheet-title', `${set.issuer} backup codes for ${set.login}`);
    text('codes-sheet-date', `Generated ${formatDateTime(set.generatedAt)}`);
    $('codes-list').replaceChildren(...set.codes.map((code) => {
      const li = document.createElement('li');
      li.textContent = code;
      return li;
    }));
    text('codes-status', set.status || '');
    text('codes-save-status', '');
    text('codes-done', set.doneLabel || 'I have saved my codes – continue');
    show('screen-codes', 'codes-title');
  }

  /** The same text as the service's "Accept: text/plain" answer (BackupCodeService.asText). */
  function codesAsText(set) {
    const generated = String(set.generatedAt).replace(/\.\d+Z$/, 'Z'); // Instant truncated to seconds
    let out = `${set.issuer} backup codes for ${set.login}\n`;
    out += `Generated ${generated}\n\n`;
    set.codes.forEach((code, i) => {
      out += `${String(i + 1).padStart(2, ' ')}. ${code}\n`;
    });
    out += '\nEach code works once, in place of an authenticator code; generating new codes voids these.\n';
    return out;
  }

  $('codes-print').addEventListener('click', () => window.print());

  $('codes-save').addEventListener('click', () => {
    if (!session.codes) return;
    const blob = new Blob([codesAsText(session.codes)], { type: 'text/plain;charset=utf-8' });
    const url = URL.createObjectURL(blob);
    const link = document.createElement('a');
    link.href = url;
    link.download = 'backup-codes.txt';
    link.hidden = true;
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60000);
    text('codes-save-status', 'Your browser is saving backup-codes.txt (usually to your Downloads folder).');
  });

  $('codes-done').addEventListener('click', () => {
    const then = session.codes && session.codes.then;
    session.codes = null;
    $('codes-list').replaceChildren();
    text('codes-sheet-title', '');
    text('codes-sheet-date', '');
    if (then) then();
  });

  handleSubmit($('regen-form'), async () => {
    const password = $('regen-password').value;
    if (!password) throw new ApiError(400, 'Enter your password to generate new codes.');
    const set = await withAccess('POST', 'backup-codes', { password });
    $('regen-password').value = '';
    const issuer = await issuerForCodes();
    showCodes({
      login: session.access.claims.upn,
      issuer,
      codes: set.codes,
      generatedAt: set.generated_at,
      heading: 'Your new backup codes',
      status: 'New codes generated. Your previous backup codes no longer work.',
      then: () => showHome(null)
    });
  });

  // ------------------------------------------------------------------------------------------------ step-up

  /** The dialog in progress: { promise, resolve, reject, returnFocus }. */
  let pendingStepUp = null;

  /** An account without a second factor confirms the password alone (client users, or no authenticator yet). */
  function passwordIsEnough() {
    const role = (session.access.claims.groups || [])[0];
    return role === 'client' || (!!session.me && !session.me.account.enrolled);
  }

  /**
   * Asks for the password and a code (403 step-up-required); resolves once a fresh access token is in place, rejects
   * when the person cancels. Actions that answer step-up-required at the same moment share one dialog.
   */
  function stepUp(maxAge) {
    if (pendingStepUp) return pendingStepUp.promise;
    const form = $('stepup-form');
    form.reset();
    clearErrors(form);
    const needsCode = !passwordIsEnough();
    $('stepup-code-field').hidden = !needsCode;
    $('stepup-alt').hidden = !needsCode;
    stepUpWithBackupCode(false);
    const minutes = Math.max(1, Math.round((maxAge || 300) / 60));
    text('stepup-intro', `This change needs a sign-in from the last ${plural(minutes, 'minute', 'minutes')}. `
      + `Confirm your password${needsCode ? ' and a code' : ''} to continue; the change is then made.`);
    let resolve;
    let reject;
    const promise = new Promise((res, rej) => { resolve = res; reject = rej; });
    pendingStepUp = { promise, resolve, reject, returnFocus: document.activeElement };
    $('stepup-dialog').showModal();
    $('stepup-password').focus();
    return promise;
  }

  function stepUpWithBackupCode(on) {
    $('stepup-code-field').hidden = on || $('stepup-alt').hidden;
    $('stepup-backup-field').hidden = !on;
    $('stepup-use-backup').hidden = on;
    $('stepup-use-totp').hidden = !on;
  }

  $('stepup-use-backup').addEventListener('click', () => { stepUpWithBackupCode(true); $('stepup-backup').focus(); });
  $('stepup-use-totp').addEventListener('click', () => { stepUpWithBackupCode(false); $('stepup-code').focus(); });

  /** Closes the dialog; the waiting action goes on (done) or ends with a message (cancelled). */
  function closeStepUp(done) {
    const pending = pendingStepUp;
    pendingStepUp = null;
    const dialog = $('stepup-dialog');
    if (dialog.open) dialog.close();
    const form = $('stepup-form');
    form.reset();
    clearErrors(form);
    if (!pending) return;
    if (pending.returnFocus && typeof pending.returnFocus.focus === 'function' && document.contains(pending.returnFocus)) {
      pending.returnFocus.focus();
    }
    if (done) {
      pending.resolve();
    } else {
      pending.reject(new ApiError(0, 'Not changed: this needs you to confirm your password and code first.'));
    }
  }

  handleSubmit($('stepup-form'), async () => {
    const password = $('stepup-password').value;
    if (!password) throw new ApiError(400, 'Enter your password.', { field: 'password' });
    const body = { password };
    if (!$('stepup-backup-field').hidden) {
      const backupCode = $('stepup-backup').value.trim();
      if (!backupCode) throw new ApiError(400, 'Enter one of your backup codes.', { field: 'backup_code' });
      body.backup_code = backupCode;
    } else if (!$('stepup-code-field').hidden) {
      const code = digitsOnly($('stepup-code').value);
      if (!/^\d{6}$/.test(code)) throw new ApiError(400, 'Enter the 6 digits your authenticator app shows.', { field: 'code' });
      body.code = code;
    }
    let answer;
    try {
      answer = await api('POST', 'auth/step-up', { token: session.access.token, body });
    } catch (e) {
      if (e.tokenRefused) {
        closeStepUp(false);
        signOut('Your session has ended. Sign in again.');
        return;
      }
      if (e.status === 401) {
        $('stepup-code').value = '';
        $('stepup-backup').value = '';
        // a wrong code: back to the code field (a wrong password keeps the focus on the password)
        if (!/password/i.test(e.message)) e.field = body.backup_code ? 'backup_code' : (body.code ? 'code' : null);
      }
      throw e;
    }
    // a new access token of the same sign-in (same client), with a new auth_time
    setAccess(answer);
    showTokenFacts();
    closeStepUp(true);
  });

  $('stepup-cancel').addEventListener('click', () => closeStepUp(false));
  $('stepup-dialog').addEventListener('cancel', (event) => {
    // Escape: the same as Cancel
    event.preventDefault();
    closeStepUp(false);
  });

  // ------------------------------------------------------------------------------------------------ signed in

  function setAccess(answer) {
    const claims = jwtClaims(answer.access_token);
    session.access = {
      token: answer.access_token,
      claims,
      // counted from receipt, so a wrong clock on this computer does not matter
      expiresAt: Date.now() + answer.expires_in * 1000
    };
    updateHeader();
  }

  /** After a login step that ended with an access token (answer), or with the token already set (null). */
  async function enterHome(answer) {
    if (answer) setAccess(answer);
    resetForms();
    // on the device page (device.js) a sign-in leads to the waiting program's approval first
    if (window.twofaDevice && window.twofaDevice.signedIn(session.access.token, () => enterHome(null))) return;
    const claims = session.access.claims;
    const admin = Array.isArray(claims.groups) && claims.groups.includes('admin');
    ['tab-policy', 'tab-users', 'tab-audit'].forEach((id) => { $(id).hidden = !admin; });
    selectTab('tab-account', false);
    await showHome(session.notice ? session.notice : null);
    session.notice = null;
  }

  /** What the current access token states, on the account tab. */
  function showTokenFacts() {
    const claims = session.access.claims;
    text('me-login', claims.upn);
    text('me-role', (claims.groups || []).join(', '));
    text('me-factor', claims.factor ? factorName(claims.factor) : 'None (password only)');
    text('me-amr', (claims.amr || []).join(', '));
    text('me-client', claims.client);
    text('me-auth-time', claims.auth_time ? formatDateTime(claims.auth_time * 1000) : '');
  }

  async function showHome(notice) {
    showTokenFacts();
    const noticeEl = $('home-notice');
    noticeEl.classList.remove('warning');
    if (typeof notice === 'string') {
      noticeEl.textContent = notice;
    } else if (notice && notice.text) {
      noticeEl.textContent = notice.text;
      noticeEl.classList.toggle('warning', !!notice.warning);
    } else if (session.enrollmentDue) {
      noticeEl.textContent = `Two-step verification becomes mandatory on ${formatDateTime(session.enrollmentDue)}. `
        + 'Set up your authenticator app below before then.';
      noticeEl.classList.add('warning');
    } else {
      noticeEl.textContent = '';
    }
    show('screen-home', 'home-title');
    startExpiryClock();
    await refreshMe();
  }

  function factorName(factor) {
    return factor === 'totp' ? 'totp (authenticator app)' : factor === 'backup_code' ? 'backup_code (backup code)' : factor;
  }

  function startExpiryClock() {
    every(1000, (cancel) => {
      if (!session.access) { cancel(); return; }
      const left = (session.access.expiresAt - Date.now()) / 1000;
      if (left <= 0) {
        cancel();
        signOut('Your session has expired. Sign in again.');
        return;
      }
      text('me-expiry', `${timeOnly.format(new Date(session.access.expiresAt))} (in ${formatDuration(left)})`);
    });
  }

  async function refreshMe() {
    const role = (session.access.claims.groups || [])[0];
    const exempt = role === 'client';
    try {
      session.me = await withAccess('GET', 'me');
    } catch (e) {
      text('me-enrolled', e.tokenRefused ? '' : `Unknown: ${e.message}`);
      return;
    }
    const account = session.me.account;
    if (exempt) {
      text('me-enrolled', 'Not used: Client users sign in with a password only');
      text('me-codes-left', 'Not used');
    } else {
      text('me-enrolled', account.enrolled ? `Set up on ${formatDateTime(account.enrolled_at)}` : 'Not set up');
      text('me-codes-left', account.enrolled ? String(account.backup_codes_remaining) : 'None');
    }
    $('phone-section').hidden = exempt;
    $('regen-section').hidden = exempt || !account.enrolled;
    if (account.enrolled) {
      text('phone-title', 'Move to a new phone');
      text('phone-intro', 'Set up the authenticator app on a new phone. Your current app keeps working until the new one is verified.');
      text('phone-submit', 'Move to a new phone');
    } else {
      text('phone-title', 'Set up two-step verification');
      text('phone-intro', 'Protect your account with a code from an authenticator app on your phone.');
      text('phone-submit', 'Set up authenticator app');
    }
  }

  handleSubmit($('phone-form'), async () => {
    const password = $('phone-password').value;
    if (!password) throw new ApiError(400, 'Enter your password to continue.');
    await startEnrollment('new_phone', password);
    $('phone-password').value = '';
  });

  // ------------------------------------------------------------------------------------------------ tabs

  const tabs = () => Array.from(document.querySelectorAll('#home-tabs [role="tab"]')).filter((t) => !t.hidden);

  /** Shows a tab's panel and (unless load is false) fetches what it shows. */
  function selectTab(id, load) {
    document.querySelectorAll('#home-tabs [role="tab"]').forEach((tab) => {
      const selected = tab.id === id;
      tab.setAttribute('aria-selected', String(selected));
      tab.tabIndex = selected ? 0 : -1;
      $(tab.getAttribute('aria-controls')).hidden = !selected;
    });
    if (load === false) return;
    if (id === 'tab-policy') loadPolicy();
    if (id === 'tab-audit') loadAudit(false);
    if (id === 'tab-account' && session.access) refreshMe();
  }

  $('home-tabs').addEventListener('click', (event) => {
    const tab = event.target.closest('[role="tab"]');
    if (tab) selectTab(tab.id);
  });

  $('home-tabs').addEventListener('keydown', (event) => {
    const list = tabs();
    const index = list.indexOf(document.activeElement);
    if (index < 0) return;
    let next = null;
    if (event.key === 'ArrowRight') next = list[(index + 1) % list.length];
    if (event.key === 'ArrowLeft') next = list[(index - 1 + list.length) % list.length];
    if (event.key === 'Home') next = list[0];
    if (event.key === 'End') next = list[list.length - 1];
    if (next) {
      event.preventDefault();
      selectTab(next.id);
      next.focus();
    }
  });

  // ------------------------------------------------------------------------------------------------ admin: policy

  async function loadPolicy() {
    const form = $('policy-form');
    clearErrors(form);
    text('policy-status', '');
    try {
      session.policy = await withAccess('GET', 'site-policy');
      fillPolicy(session.policy);
    } catch (e) {
      showError(form, e);
    }
  }

  function fillPolicy(p) {
    $('policy-required').checked = p.two_factor_required;
    $('policy-issuer').value = p.issuer;
    $('policy-lifetime').value = p.access_token_lifetime_seconds;
    $('policy-count').value = p.backup_code_count;
    $('policy-enforce').value = p.enforce_from ? toLocalInput(new Date(p.enforce_from)) : '';
    text('policy-updated', p.updated_at
      ? `Last changed ${formatDateTime(p.updated_at)}${p.updated_by ? ' by ' + p.updated_by : ''}.` : '');
  }

  /** A Date as the value of a datetime-local input, in local time. */
  function toLocalInput(d) {
    const pad = (n) => String(n).padStart(2, '0');
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  }

  function integerOrText(value) {
    return /^-?\d+$/.test(value.trim()) ? parseInt(value, 10) : value;
  }

  handleSubmit($('policy-form'), async () => {
    text('policy-status', '');
    const enforce = $('policy-enforce').value;
    let enforceFrom = null;
    if (enforce) {
      const d = new Date(enforce); // datetime-local values are local time
      if (isNaN(d.getTime())) {
        throw new ApiError(400, 'Enter a complete date and time, or leave it empty.', { field: 'enforce_from' });
      }
      enforceFrom = d.toISOString().replace(/\.\d{3}Z$/, 'Z');
    }
    const body = {
      two_factor_required: $('policy-required').checked,
      issuer: $('policy-issuer').value.trim(),
      // a non-number goes to the service as typed so its answer names the field
      access_token_lifetime_seconds: integerOrText($('policy-lifetime').value),
      backup_code_count: integerOrText($('policy-count').value),
      enforce_from: enforceFrom
    };
    session.policy = await withAccess('PUT', 'site-policy', body);
    fillPolicy(session.policy);
    text('policy-status', session.policy.two_factor_required
      ? 'Saved. Two-step verification is required.'
      : 'Saved. Two-step verification is not required.');
  });

  // ------------------------------------------------------------------------------------------------ admin: users

  let shownUser = null;

  handleSubmit($('list-users-form'), () => loadUsers(false));
  $('users-more').addEventListener('click', async () => {
    try {
      await loadUsers(true);
    } catch (e) {
      showError($('list-users-form'), e);
    }
  });

  /** A page of accounts in login order; "More accounts" continues after the last login shown. */
  async function loadUsers(more) {
    clearErrors($('list-users-form'));
    const params = new URLSearchParams({ limit: '20' });
    const prefix = $('list-prefix').value.trim();
    if (prefix) params.set('prefix', prefix);
    [['list-role', 'role'], ['list-status', 'status'], ['list-enrolled', 'enrolled']].forEach(([id, name]) => {
      if ($(id).value) params.set(name, $(id).value);
    });
    if (more && session.usersAfter != null) params.set('after', session.usersAfter);
    const page = await withAccess('GET', 'users?' + params);
    const rows = page.users.map((u) => {
      const tr = document.createElement('tr');
      const first = document.createElement('td');
      const open = document.createElement('button');
      open.type = 'button';
      open.className = 'link';
      open.textContent = u.login;
      open.addEventListener('click', async () => {
        try {
          showUser(await withAccess('GET', 'users/' + encodeURIComponent(u.login)));
          $('user-card-title').scrollIntoView();
        } catch (e) {
          showError($('find-user-form'), e);
        }
      });
      first.appendChild(open);
      tr.appendChild(first);
      [u.role, u.status + (u.password_change_required ? ' (must change password)' : ''),
        u.enrolled ? 'Set up' : 'Not set up', formatDateTime(u.created_at)].forEach((value) => {
        const td = document.createElement('td');
        td.textContent = value;
        tr.appendChild(td);
      });
      return tr;
    });
    if (more) {
      $('users-rows').append(...rows);
    } else {
      $('users-rows').replaceChildren(...rows);
    }
    session.usersAfter = page.next_after;
    $('users-more').hidden = page.next_after == null;
    $('users-table').hidden = false;
    const shown = $('users-rows').children.length;
    text('users-caption', shown === 0 ? 'No accounts match.' : `${plural(shown, 'account', 'accounts')} shown, in login order`);
  }

  handleSubmit($('create-user-form'), async () => {
    text('users-status', '');
    const body = { login: $('new-login').value, password: $('new-password').value, role: $('new-role').value };
    const created = await withAccess('POST', 'users', body);
    $('create-user-form').reset();
    showUser(created);
    text('users-status', `Created ${created.role} ${created.login}.`);
  });

  handleSubmit($('find-user-form'), async () => {
    text('users-status', '');
    const login = $('find-login').value.trim();
    if (!login) throw new ApiError(400, 'Enter a login.');
    showUser(await withAccess('GET', 'users/' + encodeURIComponent(login)));
  });

  function showUser(u) {
    shownUser = u.login;
    text('user-card-title', u.login);
    const facts = [
      ['Role', u.role],
      ['Status', u.status === 'disabled' ? 'Disabled – cannot sign in' : 'Active'],
      ['Must change password', u.password_change_required ? 'Yes – temporary password set' : 'No'],
      ['Created', formatDateTime(u.created_at)],
      ['Authenticator app', u.enrolled ? `Set up on ${formatDateTime(u.enrolled_at)}` : 'Not set up'],
      ['Backup codes left', String(u.backup_codes_remaining)],
      ['Failed codes in a row', String(u.second_factor_consecutive_failures)],
      ['Codes blocked until', u.second_factor_throttled_until ? formatDateTime(u.second_factor_throttled_until) : '–'],
      ['Second factor locked', u.second_factor_locked ? 'Yes – reset it to unlock' : 'No'],
      ['Password blocked until', u.password_throttled_until ? formatDateTime(u.password_throttled_until) : '–']
    ];
    $('user-facts').replaceChildren(...facts.flatMap(([k, v]) => {
      const dt = document.createElement('dt');
      dt.textContent = k;
      const dd = document.createElement('dd');
      dd.textContent = v;
      return [dt, dd];
    }));
    cancelResetConfirmation();
    clearErrors($('reset-form'));
    clearErrors($('issue-codes-form'));
    clearErrors($('account-form'));
    clearErrors($('temp-password-form'));
    $('issue-codes-form').reset();
    $('temp-password-form').reset();
    $('account-role').value = u.role;
    $('account-status').value = u.status;
    $('account-form').dataset.role = u.role;
    $('account-form').dataset.status = u.status;
    $('user-card').hidden = false;
  }

  handleSubmit($('account-form'), async () => {
    const form = $('account-form');
    const body = {};
    if ($('account-role').value !== form.dataset.role) body.role = $('account-role').value;
    if ($('account-status').value !== form.dataset.status) body.status = $('account-status').value;
    if (!Object.keys(body).length) throw new ApiError(400, 'Nothing to change: choose another role or status.');
    const login = shownUser;
    const updated = await withAccess('PATCH', 'users/' + encodeURIComponent(login), body);
    showUser(updated);
    text('users-status', `Saved: ${login} is ${updated.status === 'disabled' ? 'disabled' : 'active'}, with role ${updated.role}.`);
  });

  handleSubmit($('temp-password-form'), async () => {
    const password = $('temp-password').value;
    if (password.length < 8) throw new ApiError(400, 'Give a temporary password of at least 8 characters.', { field: 'password' });
    const login = shownUser;
    await withAccess('POST', `users/${encodeURIComponent(login)}/password`, { password });
    showUser(await withAccess('GET', 'users/' + encodeURIComponent(login)));
    text('users-status', `Temporary password set for ${login}: they choose their own at the next sign-in.`);
  });

  function cancelResetConfirmation() {
    const button = $('reset-button');
    button.classList.remove('confirming');
    button.textContent = 'Reset second factor';
    $('reset-confirm-cancel').hidden = true;
  }

  $('reset-confirm-cancel').addEventListener('click', () => {
    cancelResetConfirmation();
    $('reset-button').focus();
  });

  handleSubmit($('reset-form'), async () => {
    const button = $('reset-button');
    if (!button.classList.contains('confirming')) {
      // first press asks; the second does it
      button.classList.add('confirming');
      button.textContent = `Yes, reset ${shownUser}'s second factor`;
      $('reset-confirm-cancel').hidden = false;
      return;
    }
    const login = shownUser;
    await withAccess('DELETE', `users/${encodeURIComponent(login)}/second-factor`);
    showUser(await withAccess('GET', 'users/' + encodeURIComponent(login)));
    text('users-status', `Second factor of ${login} reset: they set up an authenticator app at their next sign-in.`);
  });

  handleSubmit($('issue-codes-form'), async () => {
    const reason = $('issue-reason').value.trim();
    if (!reason) throw new ApiError(400, 'Give a reason; it is recorded in the audit log.', { field: 'reason' });
    const login = shownUser;
    const set = await withAccess('POST', `users/${encodeURIComponent(login)}/backup-codes`, { reason });
    const issuer = await issuerForCodes();
    showCodes({
      login,
      issuer,
      codes: set.codes,
      generatedAt: set.generated_at,
      heading: `New backup codes for ${login}`,
      intro: `Give these codes to ${login} by a safe route. Their previous backup codes no longer work.`,
      doneLabel: 'Done – back to users',
      then: async () => {
        selectTab('tab-users', false);
        show('screen-home', 'tab-users');
        try {
          showUser(await withAccess('GET', 'users/' + encodeURIComponent(login)));
          text('users-status', `Issued new backup codes to ${login}.`);
        } catch (e) {
          showError($('find-user-form'), e);
        }
      }
    });
  });

  // ------------------------------------------------------------------------------------------------ admin: audit

  handleSubmit($('audit-form'), () => loadAudit(false));
  $('audit-more').addEventListener('click', () => loadAudit(true));

  async function loadAudit(older) {
    const form = $('audit-form');
    clearErrors(form);
    const params = new URLSearchParams({ limit: '25' });
    const login = $('audit-login').value.trim();
    const type = $('audit-type').value;
    if (login) params.set('login', login);
    if (type) params.set('type', type);
    if (older && session.auditBefore != null) params.set('before', String(session.auditBefore));
    let page;
    try {
      page = await withAccess('GET', 'audit-events?' + params);
    } catch (e) {
      showError(form, e);
      return;
    }
    const rows = page.events.map((e) => {
      const tr = document.createElement('tr');
      [
        [formatDateTime(e.occurred_at), 'time'], [e.type, 'type'], [e.actor || '–'], [e.subject_login || '–'],
        [e.client || '–'], [e.source_ip || '–'], [e.detail || '']
      ].forEach(([value, cls]) => {
        const td = document.createElement('td');
        td.textContent = value;
        if (cls) td.className = cls;
        tr.appendChild(td);
      });
      return tr;
    });
    if (older) {
      $('audit-rows').append(...rows);
    } else {
      $('audit-rows').replaceChildren(...rows);
    }
    session.auditBefore = page.next_before;
    $('audit-more').hidden = page.next_before == null;
    const shown = $('audit-rows').children.length;
    text('audit-caption', shown === 0 ? 'No events match.' : `Newest first – ${plural(shown, 'event', 'events')} shown`);
  }

  // ------------------------------------------------------------------------------------------------ start

  signOut('');
})();
