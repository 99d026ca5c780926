// Passkeys for Machi's account pages. Enhances <form data-passkey="register|authenticate">:
// asks the server for WebAuthn options, calls the browser's authenticator, and posts the result
// back with the form's CSRF token. Without WebAuthn support the forms stay as they are.
(function () {
  'use strict';
  if (!window.PublicKeyCredential || !navigator.credentials) return;

  function fromB64url(s) {
    var b64 = s.replace(/-/g, '+').replace(/_/g, '/');
    while (b64.length % 4) b64 += '=';
    var bin = atob(b64);
    var out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out.buffer;
  }
  function toB64url(buf) {
    var bytes = new Uint8Array(buf);
    var bin = '';
    for (var i = 0; i < bytes.length; i++) bin += String.fromCharCode(bytes[i]);
    return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }
  function post(url, fields) {
    return fetch(url, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    }).then(function (res) {
      return res.json().then(function (body) {
        if (!res.ok) throw new Error(body.detail || 'request failed');
        return body;
      });
    });
  }
  function withIds(list) {
    return (list || []).map(function (c) {
      return { id: fromB64url(c.id), type: c.type || 'public-key', transports: c.transports };
    });
  }

  function register(form, data) {
    return post('/id/passkey/register/options', { _csrf: data.get('_csrf') }).then(function (r) {
      var o = r.options;
      var publicKey = Object.assign({}, o, {
        challenge: fromB64url(o.challenge),
        user: Object.assign({}, o.user, { id: fromB64url(o.user.id) }),
        excludeCredentials: withIds(o.excludeCredentials),
      });
      return navigator.credentials.create({ publicKey: publicKey }).then(function (cred) {
        var response = {
          id: cred.id,
          rawId: toB64url(cred.rawId),
          type: cred.type,
          clientExtensionResults: cred.getClientExtensionResults(),
          authenticatorAttachment: cred.authenticatorAttachment || undefined,
          response: {
            clientDataJSON: toB64url(cred.response.clientDataJSON),
            attestationObject: toB64url(cred.response.attestationObject),
            transports: cred.response.getTransports ? cred.response.getTransports() : [],
          },
        };
        return post('/id/passkey/register/verify', { _csrf: data.get('_csrf'), handle: r.handle, label: data.get('label') || '', response: JSON.stringify(response) });
      });
    });
  }

  function authenticate(form, data) {
    var secondFactor = data.get('second_factor') || '';
    return post('/id/passkey/signin/options', { _csrf: data.get('_csrf'), second_factor: secondFactor }).then(function (r) {
      var o = r.options;
      var publicKey = Object.assign({}, o, { challenge: fromB64url(o.challenge), allowCredentials: withIds(o.allowCredentials) });
      return navigator.credentials.get({ publicKey: publicKey }).then(function (cred) {
        var response = {
          id: cred.id,
          rawId: toB64url(cred.rawId),
          type: cred.type,
          clientExtensionResults: cred.getClientExtensionResults(),
          authenticatorAttachment: cred.authenticatorAttachment || undefined,
          response: {
            clientDataJSON: toB64url(cred.response.clientDataJSON),
            authenticatorData: toB64url(cred.response.authenticatorData),
            signature: toB64url(cred.response.signature),
            userHandle: cred.response.userHandle ? toB64url(cred.response.userHandle) : undefined,
          },
        };
        return post('/id/passkey/signin/verify', { _csrf: data.get('_csrf'), handle: r.handle, return_to: data.get('return_to') || '', response: JSON.stringify(response) });
      });
    });
  }

  var forms = document.querySelectorAll('form[data-passkey]');
  Array.prototype.forEach.call(forms, function (form) {
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      var error = form.querySelector('.passkey-error');
      if (error) error.hidden = true;
      var data = new FormData(form);
      var run = form.getAttribute('data-passkey') === 'register' ? register : authenticate;
      run(form, data).then(
        function (result) {
          window.location.assign(result.redirect);
        },
        function () {
          if (error) {
            error.hidden = false;
            error.setAttribute('tabindex', '-1');
            error.focus();
          }
        },
      );
    });
  });
})();
