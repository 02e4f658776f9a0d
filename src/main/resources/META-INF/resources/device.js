/*
 * The device page of the reference web page: /device, the verification URI of device authorization (RFC 8628).
 *
 * A program on another device (the command line, Desktop, RV, ...) shows a code and this page's address. Here the
 * person enters or checks that code, signs in with the screens of app.js (password, second factor or enrolment), sees
 * which program asks, under which name, when and from which address, and approves or denies it.
 *
 * Loaded before app.js. After every completed sign-in app.js calls window.twofaDevice.signedIn(token, goHome): while
 * a code waits for review, this script takes over and returns true. The access token stays in this closure only.
 */
(function () {
  'use strict';

  const API = 'api/v1/';
  const ALPHABET = /^[BCDFGHJKLMNPQRSTVWXZ]{8}$/;
  const CLIENTS = {
    cli: 'Command line (cli)',
    desktop: 'Flow Production Tracking Desktop (desktop)',
    toolkit: 'Toolkit app (toolkit)',
    rv: 'RV (rv)',
    'review-ios': 'Review for iOS (review-ios)'
  };

  /** The code waiting for review, the sign-in that reviews it, and what the service said about it. */
  let state = { code: null, token: null, login: null, goHome: null };
  let expiryTimer = null;

  const $ = (id) => document.getElementById(id);

  function text(id, value) {
    $(id).textContent = value == null ? '' : String(value);
  }

  /** "bcdf ghjk" -> "BCDF-GHJK"; null when it cannot be a code. */
  function normalise(typed) {
    const code = String(typed || '').replace(/[\s-]/g, '').toUpperCase();
    return ALPHABET.test(code) ? code.slice(0, 4) + '-' + code.slice(4) : null;
  }

  function loginOf(token) {
    try {
      const part = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
      const bytes = Uint8Array.from(atob(part + '==='.slice((part.length + 3) % 4)), (c) => c.charCodeAt(0));
      return JSON.parse(new TextDecoder().decode(bytes)).upn || '';
    } catch (e) {
      return '';
    }
  }

  const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

  function ago(date) {
    const minutes = Math.round((Date.now() - date.getTime()) / 60000);
    return minutes < 1 ? 'just now' : minutes === 1 ? '1 minute ago' : `${minutes} minutes ago`;
  }

  function show(screenId, focusId) {
    document.querySelectorAll('.screen').forEach((s) => { s.hidden = s.id !== screenId; });
    const screen = $(screenId);
    document.title = `${screen.dataset.title} – two-step verification`;
    const target = (focusId && $(focusId)) || screen.querySelector('h1');
    target.focus();
    window.scrollTo(0, 0);
  }

  function stopExpiry() {
    if (expiryTimer != null) {
      clearInterval(expiryTimer);
      expiryTimer = null;
    }
  }

  async function call(method, path) {
    let response;
    try {
      response = await fetch(API + path, {
        method,
        headers: { Accept: 'application/json, application/problem+json', Authorization: 'Bearer ' + state.token },
        cache: 'no-store',
        credentials: 'omit',
        redirect: 'error'
      });
    } catch (e) {
      return { status: 0, problem: { detail: 'The service could not be reached. Check your connection and try again.' } };
    }
    let body = {};
    try {
      body = await response.json();
    } catch (e) {
      // not JSON (a proxy page, say): the status is all there is
    }
    return response.ok ? { status: response.status, body } : { status: response.status, problem: body };
  }

  function problemText(answer) {
    const p = answer.problem || {};
    if (answer.status === 429) {
      const wait = typeof p.retry_after === 'number' ? p.retry_after : 60;
      return `Too many codes were tried from here. For your security, wait ${Math.ceil(wait / 60)} minute(s) and try again.`;
    }
    return p.detail || p.title || `The request failed (HTTP ${answer.status}).`;
  }

  // ------------------------------------------------------------------------------------------------ screens

  /** The code form, with a message when a code did not work. */
  function showCodeForm(error) {
    stopExpiry();
    $('device-code-form').hidden = false;
    $('device-review').hidden = true;
    $('device-done').hidden = true;
    text('device-status', '');
    $('device-code').value = state.code || '';
    text('device-code-intro', state.code && !error
      ? 'A program asked you to open this page. Check that it shows this same code, then continue.'
      : 'A program such as the command line, Desktop or RV asked you to open this page. Enter the code it shows.');
    text('device-code-error', error || '');
    if (error) $('device-code').setAttribute('aria-invalid', 'true');
    else $('device-code').removeAttribute('aria-invalid');
    show('screen-device', error ? 'device-code' : null);
  }

  /** The app's sign-in screen, saying what the sign-in is for. */
  function showSignIn() {
    show('screen-login', 'login-login');
    text('login-notice', `Sign in to review the request of the program that shows ${state.code}.`);
  }

  async function lookUp() {
    text('device-status', 'Looking up the request…');
    $('device-code-form').hidden = true;
    $('device-review').hidden = true;
    $('device-done').hidden = true;
    show('screen-device');
    const answer = await call('GET', 'device/requests/' + encodeURIComponent(state.code));
    if (answer.status === 200) {
      showReview(answer.body);
    } else if (answer.status === 401) {
      sessionEnded();
    } else {
      showCodeForm(problemText(answer));
    }
  }

  function showReview(request) {
    text('device-status', '');
    text('device-user-code', request.user_code);
    text('device-client', CLIENTS[request.client] || request.client);
    text('device-name', request.device_name || '(no name given)');
    const asked = new Date(request.requested_at);
    text('device-requested-at', `${dateTime.format(asked)} (${ago(asked)})`);
    text('device-requested-from', request.requested_from || 'unknown');
    text('device-account', state.login);
    text('device-decision-error', '');
    $('device-code-form').hidden = true;
    $('device-done').hidden = true;
    $('device-review').hidden = false;
    $('device-approve').disabled = false;
    $('device-deny').disabled = false;
    show('screen-device');
    // counted from receipt, so a wrong clock on this computer does not matter
    const until = Date.now() + request.expires_in * 1000;
    stopExpiry();
    const tick = () => {
      const left = Math.max(0, Math.ceil((until - Date.now()) / 1000));
      text('device-expiry', left > 0 ? `in ${Math.floor(left / 60)}:${String(left % 60).padStart(2, '0')}`
        : 'expired: ask the program for a new code');
      if (left <= 0) {
        stopExpiry();
        $('device-approve').disabled = true;
      }
    };
    tick();
    expiryTimer = setInterval(tick, 1000);
  }

  async function decide(decision) {
    $('device-approve').disabled = true;
    $('device-deny').disabled = true;
    text('device-decision-error', '');
    const answer = await call('POST', `device/requests/${encodeURIComponent(state.code)}/${decision}`);
    if (answer.status === 200) {
      stopExpiry();
      const name = answer.body.device_name ? `“${answer.body.device_name}”` : 'the program';
      text('device-status', decision === 'approve'
        ? `Approved. ${name} is now signed in as ${state.login}; it continues on its own within a few seconds. You can close this page.`
        : `Denied. ${name} is not signed in. If you did not start this, tell your administrator.`);
      state.code = null;
      $('device-review').hidden = true;
      $('device-done').hidden = false;
      show('screen-device', 'device-status');
      return;
    }
    if (answer.status === 401) {
      sessionEnded();
      return;
    }
    text('device-decision-error', problemText(answer));
    $('device-deny').disabled = false;
    $('device-approve').disabled = answer.status === 404;
  }

  /** The access token was refused (expired): sign in again, keeping the code. */
  function sessionEnded() {
    const code = state.code;
    $('sign-out').click();
    state.code = code;
    text('login-notice', `Your sign-in has ended. Sign in again to review the request of the program that shows ${code}.`);
  }

  function forget() {
    stopExpiry();
    state = { code: null, token: null, login: null, goHome: null };
    ['device-user-code', 'device-client', 'device-name', 'device-requested-at', 'device-requested-from', 'device-account',
      'device-expiry', 'device-status', 'device-code-error', 'device-decision-error'].forEach((id) => text(id, ''));
    $('device-code').value = '';
  }

  // ------------------------------------------------------------------------------------------------ events

  $('device-code-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const code = normalise($('device-code').value);
    if (!code) {
      text('device-code-error', 'A code has 8 letters, such as BCDF-GHJK. Check the code the program shows.');
      $('device-code').setAttribute('aria-invalid', 'true');
      $('device-code').focus();
      return;
    }
    state.code = code;
    if (state.token) {
      lookUp();
    } else {
      showSignIn();
    }
  });

  $('device-decision-form').addEventListener('submit', (event) => {
    event.preventDefault();
    if (!$('device-approve').disabled) decide('approve');
  });
  $('device-deny').addEventListener('click', () => decide('deny'));

  $('device-continue').addEventListener('click', () => {
    const goHome = state.goHome;
    forget();
    if (goHome) goHome();
  });

  // nothing of this sign-in stays on the page after it ends
  $('sign-out').addEventListener('click', forget);

  window.twofaDevice = {
    /** After a completed sign-in: true when this page continues with a waiting code (app.js then stops). */
    signedIn(token, goHome) {
      if (!state.code) return false;
      state.token = token;
      state.login = loginOf(token);
      state.goHome = goHome;
      lookUp();
      return true;
    }
  };

  // after app.js has shown its first screen: on the device page, the code comes first
  document.addEventListener('DOMContentLoaded', () => {
    if (!/\/device$/.test(window.location.pathname)) return;
    state.code = normalise(new URLSearchParams(window.location.search).get('user_code'));
    showCodeForm(null);
  });
})();
